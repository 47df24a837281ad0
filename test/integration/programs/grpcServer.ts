/**
 * A grpc-js server of kspan.test.Echo, run as its own process by the
 * integration tests. Prints "listening PORT". `--tls CERT KEY` serves TLS
 * (node's statically linked OpenSSL, ALPN h2).
 *   Say "missing"        NOT_FOUND before any metadata (a Trailers-Only response)
 *   Say "boom"           INTERNAL after the initial metadata (status in trailers)
 *   Say "call:PORT[:tls]" while serving, calls Say "nested" on 127.0.0.1:PORT
 *   Say "hold:N"         sends its metadata at once, answers only when N such calls
 *                        are held, then all of them, newest first, one per timer tick
 *   Say anything else    OK, "hello TEXT"
 *   SayMany              `count` replies, then OK
 * The caller's x-call metadata comes back as x-call-echo, in the initial
 * metadata and the trailers, so tests can check which reply answered which call.
 */
import * as grpc from '@grpc/grpc-js';
import { echoService, EchoReply, EchoRequest, metadata, tlsFiles } from './grpcEcho';

const port = Number(process.argv[2] ?? 0);
const tls = tlsFiles(process.argv);
const { service, Client } = echoService();

function echo(md: grpc.Metadata): grpc.Metadata {
  const call = md.get('x-call')[0];
  return call === undefined ? new grpc.Metadata() : metadata({ 'x-call-echo': String(call) });
}

function nested(target: string, cb: (err: Error | null, text?: string) => void): void {
  const [downPort, secure] = target.split(':');
  const creds = secure === 'tls' && tls ? grpc.credentials.createSsl(tls.cert) : grpc.credentials.createInsecure();
  const client = new Client(`127.0.0.1:${downPort}`, creds);
  client.Say({ text: 'nested' }, metadata({ 'x-call': 'nested' }), (err, reply) => {
    client.close();
    cb(err, reply?.text);
  });
}

/** Held "hold:N" calls; released newest first, one write at a time, so replies go out of order. */
const held: Array<() => void> = [];
function hold(n: number, reply: () => void): void {
  held.push(reply);
  if (held.length < n) return;
  const next = (): void => {
    const r = held.pop();
    if (!r) return;
    r();
    setTimeout(next, 1);
  };
  next();
}

const server = new grpc.Server();
server.addService(service, {
  Say: (call: grpc.ServerUnaryCall<EchoRequest, EchoReply>, cb: grpc.sendUnaryData<EchoReply>) => {
    const text = call.request.text;
    if (text === 'missing') {
      cb({ code: grpc.status.NOT_FOUND, details: 'no such thing: missing' });
      return;
    }
    call.sendMetadata(echo(call.metadata));
    if (text === 'boom') {
      cb({ code: grpc.status.INTERNAL, details: 'boom', metadata: echo(call.metadata) });
    } else if (text.startsWith('hold:')) {
      hold(Number(text.slice(5)), () => cb(null, { text: `hello ${text}` }, echo(call.metadata)));
    } else if (text.startsWith('call:')) {
      nested(text.slice(5), (err, down) => (err ? cb(err) : cb(null, { text: `down ${down}` }, echo(call.metadata))));
    } else {
      cb(null, { text: `hello ${text}` }, echo(call.metadata));
    }
  },
  SayMany: (call: grpc.ServerWritableStream<EchoRequest, EchoReply>) => {
    call.sendMetadata(echo(call.metadata));
    for (let i = 0; i < (call.request.count ?? 0); i++) call.write({ text: `${call.request.text} #${i}` });
    call.end(echo(call.metadata));
  },
});
const creds = tls?.key ? grpc.ServerCredentials.createSsl(null, [{ cert_chain: tls.cert, private_key: tls.key }]) : grpc.ServerCredentials.createInsecure();
server.bindAsync(`127.0.0.1:${port}`, creds, (err, bound) => {
  if (err) throw err;
  process.stdout.write(`listening ${bound}\n`);
});
process.on('SIGTERM', () => server.tryShutdown(() => process.exit(0)));
