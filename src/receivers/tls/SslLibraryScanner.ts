import { execFileSync } from 'child_process';
import * as fs from 'fs';

/** A file that may hold OpenSSL's SSL_* functions, seen mapped by a process. */
export interface SslCandidate {
  /** Path usable from kspan's mount namespace (through /proc/<pid>/root). */
  path: string;
  /** "dev:ino": one attach per file, however many processes share it. */
  fileId: string;
  /** Why it is a candidate: a libssl, or the executable itself (static OpenSSL). */
  kind: 'libssl' | 'executable';
  pid: number;
}

const LIBSSL = /\/libssl\.so(\.[0-9][0-9a-z.]*)?$/;

/**
 * Finds, in /proc, the files of a process that may contain OpenSSL:
 * mapped libssl.so* and the executable (node and others link it statically
 * and export the same symbols).
 */
export class SslLibraryScanner {
  constructor(private readonly procRoot = '/proc') {}

  pids(): number[] {
    try {
      return fs.readdirSync(this.procRoot).filter((n) => /^\d+$/.test(n)).map(Number);
    } catch {
      return [];
    }
  }

  /**
   * Paths through /proc/<pid>/root reach a container's files, but vanish with
   * the process; a process in kspan's own mount namespace uses plain paths.
   */
  private rootOf(pid: number): string {
    try {
      const theirs = fs.statSync(`${this.procRoot}/${pid}/root/`);
      const ours = fs.statSync('/');
      if (theirs.dev === ours.dev && theirs.ino === ours.ino) return '';
    } catch {
      /* fall through */
    }
    return `${this.procRoot}/${pid}/root`;
  }

  /** libssl files the dynamic linker knows: traced before any process maps them. */
  systemLibraries(): SslCandidate[] {
    const out: SslCandidate[] = [];
    let listing = '';
    try {
      listing = execFileSync('ldconfig', ['-p'], { encoding: 'latin1', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      return out;
    }
    for (const m of listing.matchAll(/=> (\/\S+\/libssl\.so[.\w]*)/g)) {
      const file = this.identify(m[1]);
      if (file && !out.some((c) => c.fileId === file.id)) out.push({ path: file.path, fileId: file.id, kind: 'libssl', pid: 0 });
    }
    return out;
  }

  candidates(pid: number): SslCandidate[] {
    const out: SslCandidate[] = [];
    const root = this.rootOf(pid);
    let maps = '';
    try {
      maps = fs.readFileSync(`${this.procRoot}/${pid}/maps`, 'latin1');
    } catch {
      return out; // exited, or a kernel thread
    }
    const seen = new Set<string>();
    for (const line of maps.split('\n')) {
      // addr perms offset dev inode path
      const m = /^\S+ \S+ \S+ (\S+) (\d+)\s+(\/.*)$/.exec(line);
      if (!m || m[2] === '0' || !LIBSSL.test(m[3]) || seen.has(m[3])) continue;
      seen.add(m[3]);
      const file = this.identify(`${root}${m[3]}`);
      if (file) out.push({ path: file.path, fileId: file.id, kind: 'libssl', pid });
    }
    try {
      const exe = fs.readlinkSync(`${this.procRoot}/${pid}/exe`).replace(/ \(deleted\)$/, '');
      const file = this.identify(`${root}${exe}`);
      if (file) out.push({ path: file.path, fileId: file.id, kind: 'executable', pid });
    } catch {
      /* kernel thread or gone */
    }
    return out;
  }

  private identify(path: string): { path: string; id: string } | undefined {
    try {
      const st = fs.statSync(path);
      return st.isFile() ? { path, id: `${st.dev}:${st.ino}` } : undefined;
    } catch {
      return undefined;
    }
  }
}

/**
 * Whether an executable exports SSL_write: scans its bytes for the symbol
 * name (a dynamic symbol's name is in .dynstr). Cheap, and only done once
 * per file; libbpf then resolves the real address when attaching.
 */
export function mentionsSslWrite(path: string): boolean {
  const needle = Buffer.from('\0SSL_write\0');
  const chunk = Buffer.alloc(1 << 20);
  let fd: number | undefined;
  try {
    fd = fs.openSync(path, 'r');
    let carry = Buffer.alloc(0);
    for (;;) {
      const n = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (n <= 0) return false;
      const window = Buffer.concat([carry, chunk.subarray(0, n)]);
      if (window.includes(needle)) return true;
      carry = window.subarray(Math.max(0, window.length - needle.length));
    }
  } catch {
    return false;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
