/**
 * A grpc-js client of kspan.test.Echo making the calls it is given on one
 * channel (one HTTP/2 connection), then printing one JSON line of results.
 *   node grpcClient.js PORT '[{"method":"Say","text":"a","metadata":{"x-call":"1"}}, ...]' [MODE] [--tls CA]
 * Modes (the channel is connected first, so every call shares its connection):
 *   (none)        one call after the other
 *   --concurrent  all calls issued at once (their requests leave in one write)
 *   --chained     each call issued once the previous one's metadata came back,
 *                 all left open together (one request per write)
 *   --late        one call, "first done", then on SIGUSR2 the given calls in turn
 */
import * as grpc from '@grpc/grpc-js';
import { EchoClient, echoService, EchoReply, metadata, tlsFiles } from './grpcEcho';

interface Call {
  method: 'Say' | 'SayMany';
  text: string;
  count?: number;
  metadata?: Record<string, string>;
}
interface Result {
  code: number;
  replies: string[];
  /** x-call-echo of the initial metadata (or the trailers of a Trailers-Only answer). */
  echo?: string;
}

/** Makes a call; `answered` (if given) is told when the server's metadata (or status) arrived. */
function invoke(client: EchoClient, c: Call, answered: () => void = () => undefined): Promise<Result> {
  const md = metadata(c.metadata ?? {});
  return new Promise((resolve) => {
    let echo: string | undefined;
    const onMeta = (m: grpc.Metadata) => {
      answered();
      echo ??= m.get('x-call-echo')[0]?.toString();
    };
    if (c.method === 'Say') {
      const call = client.Say({ text: c.text }, md, (err, reply) => resolve({ code: err ? err.code : 0, replies: reply ? [reply.text] : [], ...(echo ? { echo } : {}) }));
      call.on('metadata', onMeta);
      call.on('status', (s: grpc.StatusObject) => onMeta(s.metadata));
      return;
    }
    const replies: string[] = [];
    const call = client.SayMany({ text: c.text, count: c.count ?? 1 }, md);
    call.on('metadata', onMeta);
    call.on('data', (r: EchoReply) => replies.push(r.text));
    call.on('error', (e: grpc.ServiceError) => resolve({ code: e.code, replies }));
    call.on('end', () => resolve({ code: 0, replies, ...(echo ? { echo } : {}) }));
  });
}

async function main(): Promise<void> {
  const [port, spec] = [Number(process.argv[2]), JSON.parse(process.argv[3]) as Call[]];
  const tls = tlsFiles(process.argv);
  const creds = tls ? grpc.credentials.createSsl(tls.cert) : grpc.credentials.createInsecure();
  const client = new (echoService().Client)(`127.0.0.1:${port}`, creds);
  await new Promise<void>((resolve, reject) => client.waitForReady(Date.now() + 10_000, (err) => (err ? reject(err) : resolve())));
  const results: Result[] = [];
  if (process.argv.includes('--concurrent')) {
    results.push(...await Promise.all(spec.map((c) => invoke(client, c))));
  } else if (process.argv.includes('--chained')) {
    const calls: Array<Promise<Result>> = [];
    for (const c of spec) await new Promise<void>((answered) => calls.push(invoke(client, c, answered)));
    results.push(...await Promise.all(calls));
  } else {
    if (process.argv.includes('--late')) {
      await invoke(client, { method: 'Say', text: 'before' });
      process.stdout.write('first done\n');
      const keep = setInterval(() => undefined, 60_000);
      await new Promise<void>((r) => process.once('SIGUSR2', () => r()));
      clearInterval(keep);
    }
    for (const c of spec) results.push(await invoke(client, c));
  }
  client.close();
  process.stdout.write(`${JSON.stringify(results)}\n`);
}

main().then(() => setTimeout(() => process.exit(0), 50).unref(), (e) => {
  process.stderr.write(`${String(e)}\n`);
  process.exit(1);
});
