/** Records decoded and records that could not be (counted as lost). */
export interface DecodeStats {
  records: number;
  malformed: number;
}

/** Each record in a batch from the native consumer: u32 size, u32 reserved, bytes padded to 8. */
const BATCH_RECORD_HEADER = 8;

/**
 * Walks the batches the native ring-buffer consumer hands over and passes
 * each record to the family's decodeRecord. A record that is cut short ends
 * the batch; one decodeRecord does not recognise is counted as malformed.
 */
export abstract class BatchDecoder {
  readonly stats: DecodeStats = { records: 0, malformed: 0 };

  decodeBatch(batch: Buffer): void {
    const view = new DataView(batch.buffer, batch.byteOffset, batch.byteLength);
    let off = 0;
    while (off + BATCH_RECORD_HEADER <= batch.length) {
      const size = view.getUint32(off, true);
      const start = off + BATCH_RECORD_HEADER;
      off = start + ((size + 7) & ~7);
      if (size === 0 || start + size > batch.length) {
        this.stats.malformed++;
        return;
      }
      this.stats.records++;
      if (!this.decodeRecord(batch, view, start, size)) this.stats.malformed++;
    }
  }

  /** Decodes one record (type byte at `offset`); false if its type or size is not known. */
  protected abstract decodeRecord(batch: Buffer, view: DataView, offset: number, size: number): boolean;
}
