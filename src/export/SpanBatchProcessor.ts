import type { Context } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';

export interface SpanBatchProcessorOptions {
  /** Spans per export call. */
  maxExportBatchSize: number;
  /** Spans waiting beyond this are dropped (and counted). */
  maxQueueSize: number;
  /** A partial batch is exported after waiting this long. */
  scheduledDelayMillis: number;
  /** An export that has not called back by then counts as failed and frees its slot. */
  exportTimeoutMillis: number;
  /** Export calls in flight at once. */
  maxConcurrentExports: number;
  /**
   * With more than a batch waiting, one call takes up to this many: when the
   * event loop is starved of CPU each call costs a loop turn, and bigger
   * calls drain a backlog in fewer turns. Defaults to maxExportBatchSize.
   */
  maxBacklogBatchSize?: number;
}

/**
 * A bounded queue in front of one exporter. Unlike the SDK's batch
 * processor, which waits for each export to finish before starting the next,
 * several exports run at once: a kernel agent produces spans in bursts of
 * thousands while its event loop is busy, and one batch per event-loop round
 * trip (or per network round trip) cannot keep up. Spans that find the queue
 * full are dropped and counted, never silently.
 */
export class SpanBatchProcessor implements SpanProcessor {
  /** Spans dropped because the queue was full. */
  dropped = 0;
  private queue: ReadableSpan[] = [];
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private idleWaiters: Array<() => void> = [];
  private stopped = false;

  constructor(private readonly exporter: SpanExporter, private readonly options: SpanBatchProcessorOptions) {}

  get queueLength(): number {
    return this.queue.length;
  }

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    if (this.stopped) return;
    if (this.queue.length >= this.options.maxQueueSize) {
      this.dropped++;
      return;
    }
    this.queue.push(span);
    if (this.queue.length >= this.options.maxExportBatchSize) this.pump(false);
    else if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.pump(true);
      }, this.options.scheduledDelayMillis);
      this.timer.unref();
    }
  }

  /** Exports everything queued now and resolves when no export is in flight. */
  forceFlush(): Promise<void> {
    while (this.queue.length > 0) this.exportBatch();
    return this.idle();
  }

  async shutdown(): Promise<void> {
    if (this.stopped) return;
    await this.forceFlush();
    this.stopped = true;
    this.clearTimer();
    await this.exporter.shutdown();
  }

  /** Starts exports while slots are free: full batches, or with `partial` whatever is queued. */
  private pump(partial: boolean): void {
    const size = this.options.maxExportBatchSize;
    while (this.inFlight < this.options.maxConcurrentExports && (this.queue.length >= size || (partial && this.queue.length > 0))) {
      this.exportBatch();
    }
    if (this.queue.length === 0) this.clearTimer();
  }

  private exportBatch(): void {
    const size = Math.max(this.options.maxExportBatchSize, this.options.maxBacklogBatchSize ?? 0);
    const spans = this.queue.length <= size ? this.queue : this.queue.slice(0, size);
    this.queue = this.queue.length <= size ? [] : this.queue.slice(size);
    this.inFlight++;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(deadline);
      this.inFlight--;
      // Full batches that queued meanwhile go now; so does a partial rest whose timer already
      // fired while every slot was busy (no timer is pending for it any more).
      this.pump(false);
      if (this.queue.length > 0 && this.timer === undefined && !this.stopped) this.pump(true);
      if (this.inFlight === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    };
    const deadline = setTimeout(finish, this.options.exportTimeoutMillis);
    deadline.unref();
    try {
      this.exporter.export(spans, (_result: ExportResult) => finish());
    } catch {
      finish(); // the exporter's own wrapper counts the failure
    }
  }

  private idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private clearTimer(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }
}
