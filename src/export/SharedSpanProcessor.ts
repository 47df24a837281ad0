import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';

/**
 * The one span processor every per-process TracerProvider gets: it fans spans
 * out to the pipeline's batch processors.
 *
 * Its shutdown() does nothing on purpose. Providers come and go with traced
 * processes (and LRU eviction); shutting one down must not shut the batch
 * processors and exporters the other providers share. The pipeline owns those
 * and shuts them down itself.
 */
export class SharedSpanProcessor implements SpanProcessor {
  constructor(private readonly _processors: readonly SpanProcessor[]) {}

  onStart(span: Span, parentContext: Context): void {
    for (const p of this._processors) p.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    for (const p of this._processors) p.onEnd(span);
  }

  async forceFlush(): Promise<void> {
    await Promise.allSettled(this._processors.map(p => p.forceFlush()));
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
