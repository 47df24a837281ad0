import type { IdGenerator } from '@opentelemetry/sdk-trace-base';
import { RandomIdGenerator } from '@opentelemetry/sdk-trace-base';

/**
 * An IdGenerator whose next ids are chosen by the caller.
 *
 * The correlator assigns a span's trace and span id when the request starts,
 * long before the span ends, because kernel child spans (and same-host server
 * spans) must be parented to it while it is still in flight. The SDK only lets
 * ids come from an IdGenerator, so the pipeline calls `preset()` and then
 * immediately `tracer.startSpan()`.
 *
 * That is safe because JS runs one call stack at a time: nothing can run
 * between `preset()` and the synchronous `startSpan()` that consumes the ids.
 * Ids are consumed once; a stray startSpan without a preset gets random ids
 * instead of duplicating the previous span's ids.
 */
export class PresetIdGenerator implements IdGenerator {
  private _traceId: string | undefined;
  private _spanId: string | undefined;
  private readonly _fallback = new RandomIdGenerator();

  /** Set the ids the next startSpan will get. */
  preset(traceId: string, spanId: string): void {
    this._traceId = traceId;
    this._spanId = spanId;
  }

  /** Forget unused presets (a child span never asks for a trace id). */
  clear(): void {
    this._traceId = undefined;
    this._spanId = undefined;
  }

  generateTraceId(): string {
    const id = this._traceId ?? this._fallback.generateTraceId();
    this._traceId = undefined;
    return id;
  }

  generateSpanId(): string {
    const id = this._spanId ?? this._fallback.generateSpanId();
    this._spanId = undefined;
    return id;
  }
}
