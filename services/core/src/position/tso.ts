import { BinlogPosition } from './binlog-position.ts';

/** The pseudo binlog file a TiDB query capture's positions carry (file sequence 0, so they order by pos). */
export const TSO_FILE = 'tso.000000';

/**
 * A TiDB timestamp (TSO): physical milliseconds << 18 | logical counter. The query capture reads
 * at whole milliseconds (logical 0, what `AS OF TIMESTAMP` takes), so a read point is its
 * physical time, and it travels in checkpoints and envelopes as position `tso.000000:<ms>`: the
 * sink's source ordering and the status output keep working unchanged.
 */
export class Tso {
  readonly value: bigint;

  constructor(value: bigint) {
    if (value < 0n || value >= 1n << 64n) throw new RangeError(`not a TSO: ${value}`);
    this.value = value;
  }

  static parse(text: string): Tso {
    if (!/^\d+$/.test(text)) throw new RangeError(`not a TSO: ${text}`);
    return new Tso(BigInt(text));
  }

  static ofMs(ms: number): Tso {
    if (!Number.isSafeInteger(ms) || ms < 0) throw new RangeError(`not a time in ms: ${ms}`);
    return new Tso(BigInt(ms) << 18n);
  }

  /** The read point of a query capture's position, or undefined for a real binlog position. */
  static fromPosition(p: BinlogPosition): Tso | undefined {
    return p.file === TSO_FILE ? Tso.ofMs(p.pos) : undefined;
  }

  get physicalMs(): number {
    return Number(this.value >> 18n);
  }

  get logical(): number {
    return Number(this.value & ((1n << 18n) - 1n));
  }

  /** This TSO at whole milliseconds, not after it: what a stale read can be pinned to. */
  floorMs(): Tso {
    return Tso.ofMs(this.physicalMs);
  }

  asPosition(): BinlogPosition {
    return new BinlogPosition(TSO_FILE, this.physicalMs);
  }

  /** `YYYY-MM-DD HH:MM:SS.mmm` in UTC: the literal `AS OF TIMESTAMP` takes in a UTC session. */
  utcLiteral(): string {
    return new Date(this.physicalMs).toISOString().replace('T', ' ').replace('Z', '');
  }

  compare(other: Tso): number {
    return this.value < other.value ? -1 : this.value > other.value ? 1 : 0;
  }

  toString(): string {
    return this.value.toString();
  }
}
