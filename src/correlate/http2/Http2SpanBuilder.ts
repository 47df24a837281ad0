import { grpcCall, type GrpcCall } from '../../protocols/grpc/grpcCall';
import { grpcStatusName, isGrpcServerError } from '../../protocols/grpc/statusCodes';
import { http2ErrorName } from '../../protocols/http2/constants';
import { headerValue } from '../../protocols/http2/pseudoHeaders';
import { splitTarget } from '../../protocols/http1/url';
import { MonotonicClock } from '../../receivers/MonotonicClock';
import type { HttpExchange } from '../HttpExchange';
import { routeTemplate } from '../routeTemplate';
import { AttributeValue, KspanSpan } from '../span';
import { parseAuthority, redactQuery } from './authority';
import type { Http2StreamInfo } from './Http2StreamInfo';

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);

/**
 * An HTTP/2 exchange → span: the HTTP/1 attributes (docs/telemetry.md) with
 * network.protocol.version "2", plus rpc.* for gRPC. A value the parser
 * could not decode (late start) is left out, never guessed, and the span
 * says so with kspan.http2.headers_incomplete.
 */
export function buildHttp2Span(ex: HttpExchange, clock: MonotonicClock, redact: boolean): KspanSpan {
  const info = ex.http2!;
  const req = info.request;
  const grpc = grpcCall(req, info.response, info.trailers);
  // grpc-status is only ever sent by gRPC: it identifies a call whose content-type went undecoded.
  const isGrpc = grpc.isGrpc || grpc.statusCode !== undefined;
  const a = httpAttributes(ex, info, redact);
  if (isGrpc) {
    a['rpc.system'] = 'grpc';
    if (grpc.service !== undefined) a['rpc.service'] = grpc.service;
    if (grpc.method !== undefined) a['rpc.method'] = grpc.method;
    if (grpc.statusCode !== undefined) a['rpc.grpc.status_code'] = grpc.statusCode;
  }
  const span: KspanSpan = {
    traceId: ex.traceId(),
    spanId: ex.spanId,
    name: spanName(info, isGrpc ? grpc : undefined),
    kind: ex.kind,
    startTimeUnixNano: clock.toUnixNano(ex.startTs),
    endTimeUnixNano: clock.toUnixNano(ex.endTs),
    attributes: a,
    status: isGrpc && grpc.statusCode !== undefined && !ex.incomplete ? grpcStatus(ex, grpc, a) : httpStatus(ex, info, a),
    process: ex.conn.process,
  };
  const parent = ex.parentSpanId;
  if (parent) {
    span.parentSpanId = parent;
    span.parentIsRemote = !ex.parent && ex.remoteParent !== undefined;
  }
  return span;
}

function httpAttributes(ex: HttpExchange, info: Http2StreamInfo, redact: boolean): Record<string, AttributeValue> {
  const conn = ex.conn;
  const req = info.request;
  const a: Record<string, AttributeValue> = {
    'network.protocol.name': 'http',
    'network.protocol.version': '2',
    'network.transport': 'tcp',
    'network.peer.address': conn.remoteAddress,
    'network.peer.port': conn.remotePort,
    'thread.id': ex.tid,
    'kspan.http2.stream_id': info.streamId,
  };
  if (req.method !== undefined) {
    const known = KNOWN_METHODS.has(req.method);
    a['http.request.method'] = known ? req.method : '_OTHER';
    if (!known) a['http.request.method_original'] = req.method;
  }
  if (!info.headersComplete) a['kspan.http2.headers_incomplete'] = true;
  if (conn.tls) a['tls.protocol.name'] = 'tls';
  const target = req.path !== undefined ? splitTarget(req.path) : undefined;
  const query = target?.query === undefined ? undefined : redact ? redactQuery(target.query) : target.query;
  const host = parseAuthority(req.authority);
  const scheme = req.scheme ?? (conn.tls ? 'https' : 'http');
  if (ex.kind === 'SERVER') {
    if (target) a['url.path'] = target.path;
    if (query !== undefined) a['url.query'] = query;
    a['url.scheme'] = scheme;
    a['server.address'] = host?.name ?? conn.localAddress;
    a['server.port'] = host?.port ?? conn.localPort;
    a['client.address'] = conn.remoteAddress;
    a['client.port'] = conn.remotePort;
    const ua = headerValue(req.headers, 'user-agent');
    if (ua !== undefined) a['user_agent.original'] = ua;
    if (ex.firstReadTs > ex.startTs) a['kspan.socket.wait_ns'] = ex.firstReadTs - ex.startTs;
  } else {
    const authority = req.authority ?? `${conn.remoteAddress}:${conn.remotePort}`;
    if (target) a['url.full'] = `${scheme}://${authority}${target.path}${query !== undefined ? `?${query}` : ''}`;
    a['server.address'] = host?.name ?? conn.remoteAddress;
    a['server.port'] = host?.port ?? conn.remotePort;
  }
  const status = info.response?.status;
  if (status !== undefined) a['http.response.status_code'] = status;
  if (info.bytesExact) {
    if (info.response) a['http.response.body.size'] = info.responseBytes;
    if (info.requestBytes > 0) a['http.request.body.size'] = info.requestBytes;
  }
  if (info.resetCode !== undefined) a['kspan.http2.error_code'] = http2ErrorName(info.resetCode);
  return a;
}

/**
 * `{rpc.service}/{rpc.method}` for gRPC; `{method} {path template}` for
 * HTTP, as for HTTP/1. What was not decoded falls back to `{method}`, then
 * to `HTTP` (the semconv name when the method is unknown), or to `grpc`.
 */
function spanName(info: Http2StreamInfo, grpc: GrpcCall | undefined): string {
  if (grpc) return grpc.service !== undefined && grpc.method !== undefined ? `${grpc.service}/${grpc.method}` : 'grpc';
  const { method, path } = info.request;
  if (method === undefined) return 'HTTP';
  if (path === undefined) return method;
  return `${method} ${routeTemplate(splitTarget(path).path)}`;
}

/**
 * OpenTelemetry gRPC conventions: a server span is an error for UNKNOWN,
 * DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS; a
 * client span for any status but OK. error.type is the status name.
 */
function grpcStatus(ex: HttpExchange, grpc: GrpcCall, a: Record<string, AttributeValue>): KspanSpan['status'] {
  const code = grpc.statusCode!;
  const error = ex.kind === 'SERVER' ? isGrpcServerError(code) : code !== 0;
  if (!error) return { code: 'UNSET' };
  a['error.type'] = grpcStatusName(code) ?? String(code);
  return grpc.statusMessage !== undefined ? { code: 'ERROR', message: grpc.statusMessage } : { code: 'ERROR' };
}

/** As HTTP/1: cut exchanges; SERVER 5xx; CLIENT 4xx and 5xx. */
function httpStatus(ex: HttpExchange, info: Http2StreamInfo, a: Record<string, AttributeValue>): KspanSpan['status'] {
  if (ex.incomplete) {
    a['error.type'] = ex.incomplete;
    return { code: 'ERROR', message: ex.incomplete.replace(/_/g, ' ') };
  }
  const code = info.response?.status ?? 0;
  if (code >= 500 || (ex.kind === 'CLIENT' && code >= 400)) {
    a['error.type'] = String(code);
    return { code: 'ERROR' };
  }
  return { code: 'UNSET' };
}
