import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { freePort, waitForPort } from './net';

export const NGINX = '/usr/sbin/nginx';

/**
 * Debian's nginx with a throw-away config: master + one worker in the
 * foreground, every path (pid, logs, temp dirs) in a temp dir, sendfile on,
 * serving `files` from <dir>/www on 127.0.0.1:port (a free one if not given).
 */
export class NginxServer {
  private constructor(readonly dir: string, readonly port: number, private readonly child: ChildProcess, private readonly output: { text: string }) {}

  /** With `tls`, the server speaks HTTPS only (Debian's nginx links the system libssl). */
  static async start(files: Record<string, Buffer | string>, tls?: { cert: string; key: string }, port?: number): Promise<NginxServer> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kspan-nginx-'));
    // The worker runs as nobody: the tree it serves must be readable by it.
    fs.chmodSync(dir, 0o755);
    const www = path.join(dir, 'www');
    fs.mkdirSync(www, { mode: 0o755 });
    for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(www, name), content, { mode: 0o644 });
    port ??= await freePort();
    const conf = path.join(dir, 'nginx.conf');
    fs.writeFileSync(conf, [
      'daemon off;',
      'master_process on;',
      'worker_processes 1;',
      `pid ${dir}/nginx.pid;`,
      `error_log ${dir}/error.log warn;`,
      'events { worker_connections 64; }',
      'http {',
      `  access_log ${dir}/access.log;`,
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${dir}/${t}_temp;`),
      '  default_type application/octet-stream;',
      '  sendfile on;',
      '  keepalive_timeout 30s;',
      tls
        ? `  server { listen 127.0.0.1:${port} ssl; ssl_certificate ${tls.cert}; ssl_certificate_key ${tls.key}; root ${www}; }`
        : `  server { listen 127.0.0.1:${port}; root ${www}; }`,
      '}',
    ].join('\n'));
    // Own process group, so stop() reaches the worker too even if the master is wedged.
    const child = spawn(NGINX, ['-p', dir, '-e', `${dir}/error.log`, '-c', conf], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const output = { text: '' };
    child.stdout!.on('data', (d: Buffer) => (output.text += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output.text += d.toString()));
    const server = new NginxServer(dir, port, child, output);
    try {
      await Promise.race([
        waitForPort(port),
        new Promise((_r, reject) => child.once('exit', (code) => reject(new Error(`nginx exited ${code}: ${server.errorLog()}`)))),
      ]);
    } catch (e) {
      await server.stop();
      throw e;
    }
    return server;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** What nginx printed and its error log, for assertion messages. */
  errorLog(): string {
    try {
      return this.output.text + fs.readFileSync(path.join(this.dir, 'error.log'), 'utf8');
    } catch {
      return this.output.text;
    }
  }

  /** SIGTERM to the whole process group (master and worker), SIGKILL if it lingers; removes the temp dir. */
  async stop(): Promise<void> {
    const pgid = this.child.pid!;
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
      try { process.kill(-pgid, 'SIGTERM'); } catch { /* already gone */ }
      const timer = setTimeout(() => { try { process.kill(-pgid, 'SIGKILL'); } catch { /* gone */ } }, 3000);
      await exited;
      clearTimeout(timer);
    }
    try { process.kill(-pgid, 'SIGKILL'); } catch { /* the worker left with the master */ }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
