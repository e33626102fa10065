/**
 * One progress line on stderr, rewritten in place, only when stderr is a terminal: pipes and
 * logs get the final output alone. Updates are throttled so a fast loop does not flood it.
 */
export class Progress {
  private readonly out: NodeJS.WriteStream;
  private readonly enabled: boolean;
  private last = 0;
  private shown = false;

  constructor(out: NodeJS.WriteStream = process.stderr, enabled = out.isTTY === true) {
    this.out = out;
    this.enabled = enabled;
  }

  update(text: string, force = false): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (!force && now - this.last < 100) return;
    this.last = now;
    const width = (this.out.columns ?? 100) - 1;
    this.out.write(`\r\x1b[2K${text.length > width ? `${text.slice(0, width - 1)}…` : text}`);
    this.shown = true;
  }

  done(): void {
    if (this.enabled && this.shown) this.out.write('\r\x1b[2K');
    this.shown = false;
  }
}
