import { Http1RequestHead, Http1ResponseHead } from '../protocols/http1/types';
import { newSpanId, newTraceId, RemoteParent } from './TraceContext';
import type { Connection } from './Connection';
import type { Http2StreamInfo } from './http2/Http2StreamInfo';

/**
 * One request/response on a connection, seen from one end. Timestamps are
 * relative monotonic ns (MonotonicClock). Ids are assigned when the exchange
 * starts so other exchanges can name it as their parent before it ends; the
 * trace id is resolved through the parent chain when first exported.
 */
export class HttpExchange {
  readonly spanId = newSpanId();
  request: Http1RequestHead | undefined;
  response: Http1ResponseHead | undefined;
  /** Start of the span: request arrival (SERVER) or first write (CLIENT). */
  startTs: number;
  endTs = 0;
  /** SERVER: the first read of the request by the application. */
  firstReadTs = 0;
  requestEndTs = 0;
  responseBodyBytes = 0;
  requestBodyBytes = 0;
  /** Why the exchange ended without a full response, if it did. */
  incomplete: string | undefined;
  parent: HttpExchange | undefined;
  remoteParent: RemoteParent | undefined;
  /** CLIENT: the same-host SERVER exchange answering it; SERVER: the CLIENT one. */
  peer: HttpExchange | undefined;
  /** Threads that read or wrote this exchange's bytes: their runqueue waits delayed it. */
  readonly threads = new Set<number>();
  /** CLIENT: the first exchange on a connection this process opened (the connect delayed it). */
  firstOnConnection = false;
  /** Agent time (ms) when the exchange ended; the hold counts from here. */
  completedAtMs = 0;
  /** HTTP/2: the stream (request is then undefined; see http2/Http2Tracker). */
  http2: Http2StreamInfo | undefined;
  private traceIdResolved: string | undefined;

  constructor(
    readonly kind: 'SERVER' | 'CLIENT',
    readonly conn: Connection,
    readonly tid: number,
    startTs: number,
  ) {
    this.startTs = startTs;
    this.threads.add(tid);
  }

  get parentSpanId(): string | undefined {
    return this.parent?.spanId ?? this.remoteParent?.spanId;
  }

  /** Fixed on first call, and fixes the ancestors' too, so a trace never splits. */
  traceId(depth = 0): string {
    if (this.traceIdResolved) return this.traceIdResolved;
    if (this.parent && depth < 64) this.traceIdResolved = this.parent.traceId(depth + 1);
    else if (this.remoteParent) this.traceIdResolved = this.remoteParent.traceId;
    else this.traceIdResolved = newTraceId();
    return this.traceIdResolved;
  }
}
