import { checkKernel } from '../../../src/check/KernelCheck';

let cached: string | false | undefined;

/**
 * Why BPF tests cannot run here, or false when they can. Tests pass this to
 * `skip`, so a skipped test always says why (not root, no BTF, addon not built).
 */
export function bpfSkipReason(): string | false {
  if (cached !== undefined) return cached;
  const report = checkKernel();
  cached = report.fatal ? `needs root and BPF: ${report.fatal}` : false;
  return cached;
}
