/**
 * How the export layer reports problems. The agent passes its own logger;
 * the export layer never writes diagnostics to stdout/stderr by itself.
 */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export type ExportLogger = (level: LogLevel, msg: string) => void;

export const silentLogger: ExportLogger = () => {};
