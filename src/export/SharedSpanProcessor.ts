import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';

/**
 * Fans each finished span out to the pipeline's batch processors (one per
 * exporter) and counts what their full queues drop. The pipeline owns the
 * processors and shuts them down itself, so shutdown() here does nothing.
 */
export class SharedSpanProcessor implements SpanProcessor {
  /** Spans each batch processor dropped because its queue was full (index = processor). */
  readonly dropped: number[];

  constructor(private readonly _processors: readonly SpanProcessor[], private readonly _maxQueueSize = Infinity) {
    this.dropped = _processors.map(() => 0);
  }

  onStart(span: Span, parentContext: Context): void {
    for (const p of this._processors) p.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    this._processors.forEach((p, i) => {
      // The SDK drops silently (a debug log) when the queue is full; count it so the loss is visible.
      if (queueLength(p) >= this._maxQueueSize) this.dropped[i]++;
      p.onEnd(span);
    });
  }

  async forceFlush(): Promise<void> {
    await Promise.allSettled(this._processors.map(p => p.forceFlush()));
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** The SDK BatchSpanProcessor's queue length (an internal field; undefined if the SDK changes). */
function queueLength(p: SpanProcessor): number {
  const queue = (p as unknown as { _finishedSpans?: unknown[] })._finishedSpans;
  return Array.isArray(queue) ? queue.length : 0;
}
