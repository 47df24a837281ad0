import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { SpanBatchProcessor } from './SpanBatchProcessor';

/**
 * Fans each finished span out to the pipeline's batch processors (one per
 * exporter). The pipeline owns the processors and shuts them down itself, so
 * shutdown() here does nothing.
 */
export class SharedSpanProcessor implements SpanProcessor {
  constructor(private readonly _processors: readonly SpanBatchProcessor[]) {}

  /** Spans each batch processor dropped because its queue was full (index = processor). */
  get dropped(): number[] {
    return this._processors.map((p) => p.dropped);
  }

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
