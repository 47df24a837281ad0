import * as fs from 'fs';

/**
 * Raw ring-buffer batches to a file and back: how correlator fixtures are
 * captured from real runs (KSPAN_RECORD_SOCKET_EVENTS=path) and replayed in
 * unit tests. Format: repeated [u32 little-endian length][batch bytes].
 */
export class BatchRecorder {
  private readonly fd: number;

  constructor(path: string) {
    this.fd = fs.openSync(path, 'a');
  }

  write(batch: Buffer): void {
    const len = Buffer.alloc(4);
    len.writeUInt32LE(batch.length);
    fs.writeSync(this.fd, len);
    fs.writeSync(this.fd, batch);
  }

  static read(path: string): Buffer[] {
    const data = fs.readFileSync(path);
    const out: Buffer[] = [];
    for (let off = 0; off + 4 <= data.length;) {
      const len = data.readUInt32LE(off);
      out.push(data.subarray(off + 4, off + 4 + len));
      off += 4 + len;
    }
    return out;
  }
}
