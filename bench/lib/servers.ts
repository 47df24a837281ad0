/**
 * The workloads kspan is measured against: the bench's node server and nginx
 * (Debian's), each one process on 127.0.0.1 answering a 12-byte body with
 * keep-alive. nginx runs with one worker and no master so that, like node,
 * it is one process on one core.
 */
import * as fs from 'fs';
import * as path from 'path';
import { makeTempDir, removeTempDir } from './cleanup';
import { freePort } from './ports';
import { ServerKind } from './settings';
import { Child } from './spawn';

export const NODE_SERVER = path.resolve(__dirname, '..', 'servers', 'nodeServer.js');

export interface BenchServer {
  kind: ServerKind;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

export async function startServer(kind: ServerKind): Promise<BenchServer> {
  return kind === 'node' ? startNode() : startNginx();
}

async function startNode(): Promise<BenchServer> {
  const child = Child.start(process.execPath, [NODE_SERVER, '0']);
  const m = await child.waitFor(/listening (\d+)/, 10_000);
  return { kind: 'node', port: Number(m[1]), pid: child.pid, stop: async () => { await child.stop(3000); } };
}

function nginxConf(dir: string, port: number): string {
  const tmp = (n: string) => `${n}_temp_path ${path.join(dir, n)};`;
  return `daemon off;
master_process off;
worker_processes 1;
pid ${path.join(dir, 'nginx.pid')};
error_log ${path.join(dir, 'error.log')} warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 120s;
  ${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(tmp).join('\n  ')}
  server {
    listen 127.0.0.1:${port} reuseport;
    location / {
      default_type text/plain;
      return 200 "hello world\\n";
    }
  }
}
`;
}

async function startNginx(): Promise<BenchServer> {
  const dir = makeTempDir('nginx');
  const port = await freePort();
  fs.writeFileSync(path.join(dir, 'nginx.conf'), nginxConf(dir, port));
  const child = Child.start('nginx', ['-p', dir, '-e', path.join(dir, 'error.log'), '-c', path.join(dir, 'nginx.conf')]);
  await waitForPort(port, child);
  return {
    kind: 'nginx',
    port,
    pid: child.pid,
    stop: async () => {
      await child.stop(3000);
      removeTempDir(dir);
    },
  };
}

/** nginx says nothing when it is ready: connect until it accepts. */
async function waitForPort(port: number, child: Child): Promise<void> {
  const net = await import('net');
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (!child.running || Date.now() > deadline) throw new Error(`nginx did not start:\n${child.tail()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
