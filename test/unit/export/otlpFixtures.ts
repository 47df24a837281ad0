/** Varied ReadableSpans for the OTLP encoder tests (not a test file itself). */
import { SpanKind, SpanStatusCode, TraceFlags } from '@opentelemetry/api';
import type { Attributes, Link } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { toReadableSpan } from '../../../src/export/ReadableSpanBuilder';
import { processResource } from '../../../src/export/Resources';
import { NGINX_PROC, NODE_PROC, makeSpan } from './helpers';

export const KSPAN_SCOPE = { name: 'kspan', version: '0.1.0' };
export const OTHER_SCOPE = { name: 'other.lib', version: '2.0.0', schemaUrl: 'https://opentelemetry.io/schemas/1.21.0' };

export const NODE_RESOURCE = processResource(NODE_PROC, { agentVersion: '0.1.0', hostName: 'host-a' });
export const NGINX_RESOURCE = processResource(NGINX_PROC, { agentVersion: '0.1.0', hostName: 'host-a' });
export const ODD_RESOURCE = resourceFromAttributes(
  { 'service.name': 'odd "svc"\n', 'process.pid': 1, 'weird.double': 0.5, 'flag': true },
  { schemaUrl: 'https://opentelemetry.io/schemas/1.24.0' },
);

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

/** Every kind of attribute value the SDK transformer distinguishes, and a few it should survive. */
export const ODD_ATTRIBUTES: Attributes = {
  str: 'plain',
  empty: '',
  quotes: 'say "hi" \\ back\\slash',
  control: 'tab\tnewline\nnul\u0000bell\u0007del\u007f',
  unicode: 'café ☕ 日本語 𝄞 emoji 🙂',
  loneHigh: 'broken \ud83d here',
  loneLow: '\ude42 first',
  int: 42,
  zero: 0,
  negZero: -0,
  negative: -17,
  hugeInt: 1e21,
  maxSafe: Number.MAX_SAFE_INTEGER,
  beyondSafe: 2 ** 60,
  double: 3.14159,
  tinyDouble: 5e-324,
  negDouble: -0.000123,
  nan: NaN,
  inf: Infinity,
  negInf: -Infinity,
  yes: true,
  no: false,
  strings: ['a', 'b"c', 'ü'],
  ints: [1, 2, -3],
  doubles: [1.5, NaN, 2],
  bools: [true, false],
  mixedHoles: ['x', null, undefined, 'y'],
  emptyArray: [],
  undef: undefined,
  'key with "quotes"\n': 'value',
  'ключ': 'значение',
};

function hrTime(seconds: number, nanos: number): [number, number] {
  return [seconds, nanos];
}

interface HandMade {
  name: string;
  kind: SpanKind;
  traceId?: string;
  spanId: string;
  parent?: { spanId: string; isRemote?: boolean };
  traceFlags?: number;
  traceState?: TraceState;
  attributes?: Attributes;
  events?: ReadableSpan['events'];
  links?: Link[];
  status?: ReadableSpan['status'];
  resource?: Resource;
  scope?: ReadableSpan['instrumentationScope'];
  start?: [number, number];
  end?: [number, number];
  dropped?: [number, number, number];
}

export function handMadeSpan(o: HandMade): ReadableSpan {
  const traceId = o.traceId ?? TRACE;
  const context = { traceId, spanId: o.spanId, traceFlags: o.traceFlags ?? TraceFlags.SAMPLED, traceState: o.traceState };
  const start = o.start ?? hrTime(1_700_000_000, 5);
  const end = o.end ?? hrTime(1_700_000_001, 999_999_999);
  return {
    name: o.name,
    kind: o.kind,
    spanContext: () => context,
    parentSpanContext: o.parent
      ? { traceId, spanId: o.parent.spanId, traceFlags: TraceFlags.SAMPLED, isRemote: o.parent.isRemote }
      : undefined,
    startTime: start,
    endTime: end,
    duration: [end[0] - start[0], end[1] - start[1]],
    status: o.status ?? { code: SpanStatusCode.UNSET },
    attributes: o.attributes ?? {},
    links: o.links ?? [],
    events: o.events ?? [],
    ended: true,
    resource: o.resource ?? NODE_RESOURCE,
    instrumentationScope: o.scope ?? KSPAN_SCOPE,
    droppedAttributesCount: o.dropped?.[0] ?? 0,
    droppedEventsCount: o.dropped?.[1] ?? 0,
    droppedLinksCount: o.dropped?.[2] ?? 0,
  };
}

/** Two-plus resources and two scopes interleaved, every span shape kspan makes and several it does not. */
export function variedSpans(): ReadableSpan[] {
  const fromKspan = [
    toReadableSpan(makeSpan(), NODE_RESOURCE, KSPAN_SCOPE),
    toReadableSpan(
      makeSpan({
        spanId: '1111111111111111', parentSpanId: 'b7ad6b7169203331', kind: 'INTERNAL', name: 'runqueue wait',
        attributes: { 'kspan.wait_ns': 38_000_000, 'kspan.preempted_by.comm': 'batch-job' },
        startTimeUnixNano: 1_700_000_000_000_000_000n, endTimeUnixNano: 1_700_000_000_000_000_001n,
      }),
      NODE_RESOURCE, KSPAN_SCOPE,
    ),
    toReadableSpan(
      makeSpan({
        spanId: '2222222222222222', parentSpanId: '00f067aa0ba902b7', parentIsRemote: true, kind: 'CLIENT',
        status: { code: 'ERROR', message: 'upstream reset "hard"' }, process: NGINX_PROC,
        events: [{ name: 'packet drop', timeUnixNano: 1_700_000_000_130_000_000n, attributes: { reason: 'TCP_RETRANSMIT', bytes: 1448 } }],
      }),
      NGINX_RESOURCE, KSPAN_SCOPE,
    ),
    toReadableSpan(makeSpan({ spanId: '3333333333333333', status: { code: 'OK' } }), NGINX_RESOURCE, KSPAN_SCOPE),
  ];
  const handMade = [
    handMadeSpan({ name: 'odd attributes', kind: SpanKind.SERVER, spanId: 'aaaaaaaaaaaaaaaa', attributes: ODD_ATTRIBUTES, resource: ODD_RESOURCE }),
    handMadeSpan({
      name: 'other scope', kind: SpanKind.PRODUCER, spanId: 'bbbbbbbbbbbbbbbb', scope: OTHER_SCOPE,
      parent: { spanId: 'aaaaaaaaaaaaaaaa', isRemote: false }, traceFlags: TraceFlags.NONE,
      traceState: new TraceState('vendor=a,other=b'), dropped: [1, 2, 3],
      status: { code: SpanStatusCode.ERROR, message: '' },
      events: [
        { name: 'no attributes', time: hrTime(0, 7) },
        { name: 'with attributes', time: hrTime(1_700_000_000, 42), attributes: { 'exception.message': 'boom\n"x"', n: 1.25 }, droppedAttributesCount: 4 },
      ],
      links: [
        { context: { traceId: 'f'.repeat(32), spanId: 'e'.repeat(16), traceFlags: TraceFlags.SAMPLED, isRemote: true } },
        {
          context: { traceId: TRACE, spanId: 'cccccccccccccccc', traceFlags: TraceFlags.NONE, traceState: new TraceState('k=v') },
          attributes: { why: 'retry', attempt: 2, ok: false, tags: ['a', 'b'] }, droppedAttributesCount: 1,
        },
      ],
    }),
    handMadeSpan({ name: 'same other scope', kind: SpanKind.CONSUMER, spanId: 'dddddddddddddddd', scope: { ...OTHER_SCOPE } }),
    handMadeSpan({ name: 'scope without version', kind: SpanKind.INTERNAL, spanId: 'eeeeeeeeeeeeeeee', scope: { name: 'bare' }, resource: ODD_RESOURCE }),
    handMadeSpan({
      name: 'client, normalising times', kind: SpanKind.CLIENT, spanId: 'ffffffffffffffff', resource: NGINX_RESOURCE,
      start: hrTime(0, 0), end: hrTime(12, 1_500_000_000), parent: { spanId: '0123456789abcdef', isRemote: true },
    }),
    handMadeSpan({ name: '', kind: SpanKind.INTERNAL, spanId: '0000000000000001', start: hrTime(1.9, 3.7), end: hrTime(4_102_444_800, 1) }),
  ];
  // Interleaved so that grouping, not input order, decides the layout.
  return [fromKspan[0]!, handMade[0]!, handMade[1]!, fromKspan[2]!, fromKspan[1]!, handMade[2]!, handMade[3]!, fromKspan[3]!, handMade[4]!, handMade[5]!];
}

/** `count` spans shaped like kspan's HTTP SERVER/CLIENT spans and kernel children, over a few processes. */
export function realisticSpans(count: number): ReadableSpan[] {
  const resources = [NODE_RESOURCE, NGINX_RESOURCE, processResource({ pid: 9, serviceName: 'checkout', executableName: 'python3.11' }, { agentVersion: '0.1.0', hostName: 'host-a' })];
  const out: ReadableSpan[] = [];
  for (let i = 0; i < count; i++) {
    const id = (0x1000_0000_0000 + i).toString(16).padStart(16, '0');
    const kind = i % 5 === 4 ? 'INTERNAL' : i % 2 === 0 ? 'SERVER' : 'CLIENT';
    const span = makeSpan({
      traceId: `${id}${id}`,
      spanId: id,
      ...(i % 3 === 0 ? {} : { parentSpanId: (0x2000_0000_0000 + i).toString(16).padStart(16, '0') }),
      kind,
      name: kind === 'INTERNAL' ? 'runqueue wait' : `GET /users/{id}`,
      startTimeUnixNano: 1_700_000_000_000_000_000n + BigInt(i) * 1_234_567n,
      endTimeUnixNano: 1_700_000_000_000_000_000n + BigInt(i) * 1_234_567n + 987_654n,
      attributes: kind === 'INTERNAL'
        ? { 'kspan.runqueue.wait_ns': 38_000 + i, 'thread.id': 4121 }
        : {
            'http.request.method': 'GET', 'url.path': `/users/${i}`, 'url.scheme': 'http', 'http.response.status_code': 200,
            'server.address': 'users.internal', 'server.port': 8080, 'client.address': '10.0.0.7', 'client.port': 40000 + (i % 20000),
            'network.peer.address': '10.0.0.7', 'network.peer.port': 40000 + (i % 20000), 'network.protocol.name': 'http',
            'network.protocol.version': '1.1', 'network.transport': 'tcp', 'thread.id': 4121, 'user_agent.original': 'curl/8.5.0',
            'kspan.socket.wait_ns': 12_345, 'kernel.runqueue.wait_ns': 0, 'kernel.tcp.retransmits': 0,
          },
      status: i % 17 === 0 ? { code: 'ERROR', message: 'connection_closed' } : { code: 'UNSET' },
    });
    out.push(toReadableSpan(span, resources[i % resources.length]!, KSPAN_SCOPE));
  }
  return out;
}
