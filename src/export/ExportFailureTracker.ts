import type { ExportLogger } from './Logger';

/**
 * Counts failed export calls per exporter and keeps the log quiet.
 *
 * An unreachable backend fails every batch (every few seconds, for as long as
 * it is down); a log line per batch would bury everything else. So we log the
 * first failure of each outage, then one line per `logEvery` failures, and a
 * line when the exporter recovers.
 */
export class ExportFailureTracker {
  private readonly _total = new Map<string, number>();
  private readonly _consecutive = new Map<string, number>();

  constructor(
    private readonly _logger: ExportLogger,
    private readonly _logEvery = 100,
  ) {}

  failed(exporter: string, error: unknown): void {
    const total = (this._total.get(exporter) ?? 0) + 1;
    const consecutive = (this._consecutive.get(exporter) ?? 0) + 1;
    this._total.set(exporter, total);
    this._consecutive.set(exporter, consecutive);
    if (consecutive === 1 || total % this._logEvery === 0) {
      this._logger(
        'warn',
        `exporter ${exporter}: export failed (${total} failure(s) so far, ` +
          `logged once per ${this._logEvery}): ${describe(error)}`,
      );
    }
  }

  succeeded(exporter: string): void {
    const consecutive = this._consecutive.get(exporter) ?? 0;
    if (consecutive > 0) {
      this._consecutive.set(exporter, 0);
      this._logger('info', `exporter ${exporter}: exporting again after ${consecutive} failed export(s)`);
    }
  }

  /** Failed export calls (batches, not spans) per exporter name. */
  counts(): Record<string, number> {
    return Object.fromEntries(this._total);
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return error === undefined ? 'unknown error' : String(error);
}
