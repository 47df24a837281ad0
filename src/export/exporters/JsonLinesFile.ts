import { mkdir, open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

const NEWLINE = Buffer.from('\n');

/**
 * An append-only file of one JSON document per line, shared by the file span
 * and metric exporters.
 *
 * The file is opened lazily (so a bad path is reported through the export
 * result, never thrown from a constructor), parent directories are created,
 * and the descriptor stays open. Writes are chained so lines never interleave
 * even when exports overlap. Like the Collector's file exporter without
 * rotation, a file removed while open keeps receiving the writes.
 */
export class JsonLinesFile {
  private _handle: Promise<FileHandle> | undefined;
  private _tail: Promise<void> = Promise.resolve();
  private _closed = false;
  /** Lines waiting for the write in flight; written together by the next one. */
  private _pending: { chunks: Uint8Array[]; done: Promise<void> } | undefined;

  constructor(readonly path: string) {}

  /**
   * Appends `json` and a newline; rejects (never throws) on a write error.
   * Lines that arrive while a write is in flight are coalesced into the next
   * write, so a burst costs one write per event-loop round trip, not one per line.
   */
  append(json: Uint8Array): Promise<void> {
    if (this._closed) return Promise.reject(new Error(`${this.path}: file exporter is shut down`));
    if (this._pending) {
      this._pending.chunks.push(json, NEWLINE);
      return this._pending.done;
    }
    const batch: { chunks: Uint8Array[]; done: Promise<void> } = { chunks: [json, NEWLINE], done: Promise.resolve() };
    this._pending = batch;
    batch.done = this._tail.then(async () => {
      if (this._pending === batch) this._pending = undefined; // later lines start the next batch
      const handle = await this._open();
      // write(), not appendFile(): appendFile writes in 512 KiB chunks, one event-loop turn each.
      const bytes = Buffer.concat(batch.chunks);
      for (let off = 0; off < bytes.length; ) off += (await handle.write(bytes, off, bytes.length - off)).bytesWritten;
    });
    this._tail = batch.done.catch(() => undefined);
    return batch.done;
  }

  /** Resolves when every append so far has finished. */
  flush(): Promise<void> {
    return this._tail;
  }

  async close(): Promise<void> {
    if (this._closed) return;
    this._closed = true;
    await this._tail;
    const handle = this._handle;
    this._handle = undefined;
    if (!handle) return;
    try {
      await (await handle).close();
    } catch {
      // Opening failed (already reported to the export that tried) or the fd is gone.
    }
  }

  private _open(): Promise<FileHandle> {
    if (!this._handle) {
      const opening = mkdir(dirname(this.path), { recursive: true }).then(() => open(this.path, 'a'));
      // Retry on the next write: the directory may become writable later.
      opening.catch(() => {
        if (this._handle === opening) this._handle = undefined;
      });
      this._handle = opening;
    }
    return this._handle;
  }
}
