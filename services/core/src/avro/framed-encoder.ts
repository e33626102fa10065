import type avro from 'avsc';

/** Records at or under this size are encoded into one reused buffer; larger ones get their own. */
const SCRATCH_BYTES = 256 * 1024;

/**
 * Encodes values in the Confluent wire format (magic byte 0, 4-byte big-endian schema id, Avro
 * body) with one reused scratch buffer, so that the common small record costs one copy and no
 * allocation beyond its result. avsc's encode() returns the negative number of missing bytes when
 * the buffer is too small; a record larger than the scratch is encoded again into a buffer of its
 * exact size, which is returned as is (a big row is never kept alive by the scratch).
 */
export class FramedEncoder {
  private readonly scratch = Buffer.allocUnsafe(SCRATCH_BYTES);

  encode(type: avro.Type, id: number, value: unknown): Buffer {
    const end = type.encode(value, this.scratch, 5);
    if (end >= 0) {
      frame(this.scratch, id);
      return Buffer.from(this.scratch.subarray(0, end));
    }
    const exact = Buffer.allocUnsafe(this.scratch.length - end);
    const written = type.encode(value, exact, 5);
    if (written !== exact.length) {
      // Cannot happen for a deterministic encoding; a short record must never be published.
      throw new Error(`Avro encoding of schema id ${id} changed size between passes (${exact.length} then ${written})`);
    }
    frame(exact, id);
    return exact;
  }
}

function frame(buf: Buffer, id: number): void {
  buf[0] = 0;
  buf.writeInt32BE(id, 1);
}
