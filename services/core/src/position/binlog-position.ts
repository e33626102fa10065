/**
 * A point in a source's binlog: file + position, optionally the GTID set executed up to it.
 * Parses, prints and compares; never passed around as loose strings.
 */
export class BinlogPosition {
  readonly file: string;
  readonly pos: number;
  readonly gtidSet: string | null;

  constructor(file: string, pos: number, gtidSet: string | null = null) {
    if (!/^[^\s/]+\.\d+$/.test(file)) throw new RangeError(`not a binlog file name: ${file}`);
    if (!Number.isSafeInteger(pos) || pos < 0) throw new RangeError(`not a binlog position: ${pos}`);
    this.file = file;
    this.pos = pos;
    this.gtidSet = gtidSet;
  }

  /** "binlog.000003:1234" */
  static parse(text: string): BinlogPosition {
    const i = text.lastIndexOf(':');
    if (i <= 0) throw new RangeError(`expected file:position, got ${text}`);
    return new BinlogPosition(text.slice(0, i), Number(text.slice(i + 1)));
  }

  /** Order by file sequence number, then position. GTID sets are not compared here. */
  compare(other: BinlogPosition): number {
    const seq = (f: string) => Number(f.slice(f.lastIndexOf('.') + 1));
    const d = seq(this.file) - seq(other.file);
    return d !== 0 ? Math.sign(d) : Math.sign(this.pos - other.pos);
  }

  withGtidSet(gtidSet: string | null): BinlogPosition {
    return new BinlogPosition(this.file, this.pos, gtidSet);
  }

  toString(): string {
    return `${this.file}:${this.pos}${this.gtidSet ? ` (gtid ${this.gtidSet})` : ''}`;
  }
}
