/** A finished span as the correlator hands it to the export layer. */

export type KspanSpanKind = 'SERVER' | 'CLIENT' | 'INTERNAL';

export type AttributeValue = string | number | boolean;

/** The traced process a span belongs to; becomes the span's OTel resource. */
export interface ProcessIdentity {
  pid: number;
  /** OTEL_SERVICE_NAME of the process if set, else derived from the executable. */
  serviceName: string;
  /** Basename of the executable, e.g. "node", "nginx". */
  executableName: string;
  /** Full path of the executable when known. */
  executablePath?: string;
}

/** Something that happened at one instant during a span (e.g. a packet drop). */
export interface SpanEvent {
  name: string;
  timeUnixNano: bigint;
  attributes: Record<string, AttributeValue>;
}

export interface KspanSpan {
  /** 32 lower-case hex chars. */
  traceId: string;
  /** 16 lower-case hex chars. */
  spanId: string;
  /** Parent span id (16 hex), absent for a root span. */
  parentSpanId?: string;
  /** True when the parent came from a traceparent header (a span kspan did not make). */
  parentIsRemote?: boolean;
  name: string;
  kind: KspanSpanKind;
  /** Wall-clock nanoseconds since the Unix epoch. */
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: Record<string, AttributeValue>;
  status: { code: 'UNSET' | 'OK' | 'ERROR'; message?: string };
  process: ProcessIdentity;
  events?: SpanEvent[];
}
