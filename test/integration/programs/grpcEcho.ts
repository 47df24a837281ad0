/**
 * The Echo service of test/fixtures/http2/test.proto (kspan.test.Echo) for the grpc-js
 * test programs. tsc does not copy .proto files into dist, so the proto is
 * read from the source tree.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

export const PROTO = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'http2', 'test.proto');

export interface EchoRequest {
  text: string;
  count?: number;
}
export interface EchoReply {
  text: string;
}
export type EchoClient = grpc.Client & {
  Say(req: EchoRequest, md: grpc.Metadata, cb: (err: grpc.ServiceError | null, reply?: EchoReply) => void): grpc.ClientUnaryCall;
  SayMany(req: EchoRequest, md: grpc.Metadata): grpc.ClientReadableStream<EchoReply>;
};

export function echoService(): { service: grpc.ServiceDefinition; Client: new (addr: string, creds: grpc.ChannelCredentials, options?: grpc.ChannelOptions) => EchoClient } {
  const def = protoLoader.loadSync(PROTO, { keepCase: true, defaults: true });
  const pkg = grpc.loadPackageDefinition(def) as unknown as { kspan: { test: { Echo: grpc.ServiceClientConstructor } } };
  const Echo = pkg.kspan.test.Echo;
  return { service: Echo.service, Client: Echo as unknown as new (addr: string, creds: grpc.ChannelCredentials) => EchoClient };
}

/** `--tls CERT KEY` (server) or `--tls CERT` (client, the CA) among the arguments. */
export function tlsFiles(argv: string[]): { cert: Buffer; key?: Buffer } | undefined {
  const at = argv.indexOf('--tls');
  if (at < 0) return undefined;
  const key = argv[at + 2] && !argv[at + 2].startsWith('--') ? fs.readFileSync(argv[at + 2]) : undefined;
  return { cert: fs.readFileSync(argv[at + 1]), ...(key ? { key } : {}) };
}

export function metadata(entries: Record<string, string>): grpc.Metadata {
  const md = new grpc.Metadata();
  for (const [k, v] of Object.entries(entries)) md.set(k, v);
  return md;
}
