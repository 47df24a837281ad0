/** kspan's public API (the CLI is in cli.ts). */
export { Agent } from './Agent';
export type { AgentStats } from './Agent';
export { checkKernel, formatReport } from './check/KernelCheck';
export type { CheckReport } from './check/KernelCheck';
export { loadConfig, ConfigError } from './config';
export type { KspanConfig } from './config';
export type { KspanSpan, ProcessIdentity } from './correlate/span';
export { createLogger } from './log';
export { VERSION } from './version';
