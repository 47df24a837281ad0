import { splitTarget } from '../protocols/http1/url';
import { MonotonicClock } from '../receivers/MonotonicClock';
import { HttpExchange } from './HttpExchange';
import { parseHost } from './parseHost';
import { routeTemplate } from './routeTemplate';
import { buildHttp2Span } from './http2/Http2SpanBuilder';
import { AttributeValue, KspanSpan } from './span';

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);

/** Exchange → span with OpenTelemetry HTTP semantic-convention attributes. */
export class SpanBuilder {
  constructor(private readonly clock: MonotonicClock, private readonly redactQuery: boolean) {}

  build(ex: HttpExchange): KspanSpan {
    if (ex.http2) return buildHttp2Span(ex, this.clock, this.redactQuery); // HTTP/2 and gRPC
    const req = ex.request!;
    const conn = ex.conn;
    const { path, query } = splitTarget(req.target);
    const method = KNOWN_METHODS.has(req.method) ? req.method : '_OTHER';
    const host = parseHost(header(ex, 'host'));
    const a: Record<string, AttributeValue> = {
      'http.request.method': method,
      'network.protocol.name': 'http',
      'network.protocol.version': req.version,
      'network.transport': 'tcp',
      'network.peer.address': conn.remoteAddress,
      'network.peer.port': conn.remotePort,
      'thread.id': ex.tid,
    };
    if (method === '_OTHER') a['http.request.method_original'] = req.method;
    if (conn.tls) a['tls.protocol.name'] = 'tls';
    const q = query === undefined ? undefined : this.redactQuery ? redact(query) : query;
    if (ex.kind === 'SERVER') {
      a['url.path'] = path;
      if (q !== undefined) a['url.query'] = q;
      a['url.scheme'] = conn.tls ? 'https' : 'http';
      a['server.address'] = host?.name ?? conn.localAddress;
      a['server.port'] = host?.port ?? conn.localPort;
      a['client.address'] = conn.remoteAddress;
      a['client.port'] = conn.remotePort;
      const ua = header(ex, 'user-agent');
      if (ua) a['user_agent.original'] = ua;
    } else {
      const authority = host ? `${host.name}${host.port !== undefined ? `:${host.port}` : ''}` : `${conn.remoteAddress}:${conn.remotePort}`;
      a['url.full'] = `${conn.tls ? 'https' : 'http'}://${authority}${path}${q !== undefined ? `?${q}` : ''}`;
      a['server.address'] = host?.name ?? conn.remoteAddress;
      a['server.port'] = host?.port ?? conn.remotePort;
    }
    if (ex.response) {
      a['http.response.status_code'] = ex.response.status;
      a['http.response.body.size'] = ex.responseBodyBytes;
    }
    if (ex.requestBodyBytes > 0) a['http.request.body.size'] = ex.requestBodyBytes;
    if (ex.kind === 'SERVER' && ex.firstReadTs > ex.startTs) {
      a['kspan.socket.wait_ns'] = ex.firstReadTs - ex.startTs;
    }
    const status = this.status(ex, a);
    const span: KspanSpan = {
      traceId: ex.traceId(),
      spanId: ex.spanId,
      name: `${req.method} ${routeTemplate(path)}`,
      kind: ex.kind,
      startTimeUnixNano: this.clock.toUnixNano(ex.startTs),
      endTimeUnixNano: this.clock.toUnixNano(ex.endTs),
      attributes: a,
      status,
      process: conn.process,
    };
    const parent = ex.parentSpanId;
    if (parent) {
      span.parentSpanId = parent;
      span.parentIsRemote = !ex.parent && ex.remoteParent !== undefined;
    }
    return span;
  }

  /** SERVER errors are 5xx; CLIENT errors 4xx and 5xx (semantic conventions). */
  private status(ex: HttpExchange, a: Record<string, AttributeValue>): KspanSpan['status'] {
    if (ex.incomplete) {
      a['error.type'] = ex.incomplete;
      return { code: 'ERROR', message: ex.incomplete.replace(/_/g, ' ') };
    }
    const code = ex.response?.status ?? 0;
    if (code >= 500 || (ex.kind === 'CLIENT' && code >= 400)) {
      a['error.type'] = String(code);
      return { code: 'ERROR' };
    }
    return { code: 'UNSET' };
  }
}

function header(ex: HttpExchange, name: string): string | undefined {
  for (const [k, v] of ex.request?.headers ?? []) if (k === name) return v;
  return undefined;
}

/** Keeps parameter names, replaces values: "a=1&b" → "a=REDACTED&b". */
function redact(query: string): string {
  return query.split('&').map((p) => {
    const eq = p.indexOf('=');
    return eq < 0 ? p : `${p.slice(0, eq)}=REDACTED`;
  }).join('&');
}
