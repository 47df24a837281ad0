import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** A throw-away self-signed certificate for 127.0.0.1/localhost, made with the openssl CLI. */
export class TlsCertificate {
  private constructor(readonly dir: string, readonly cert: string, readonly key: string) {}

  static create(): TlsCertificate {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kspan-tls-'));
    fs.chmodSync(dir, 0o755); // nginx workers (nobody) read it
    const cert = path.join(dir, 'cert.pem');
    const key = path.join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert,
      '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
    fs.chmodSync(key, 0o644);
    return new TlsCertificate(dir, cert, key);
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
