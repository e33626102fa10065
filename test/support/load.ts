import type mysql from 'mysql2/promise';
import { connect } from './stack.ts';

/**
 * A write load whose result can be checked change by change: every transaction increments the
 * version `v` of one to three rows (sometimes a range of rows), so each key's history on a topic
 * must read 1, 2, 3, ... with no gap and no repeat.
 */
export class VersionLoad {
  private readonly url: string;
  private readonly db: string;
  private readonly rows: number;
  private running = false;
  private workers: Promise<void>[] = [];
  transactions = 0;

  constructor(url: string, db: string, rows: number) {
    this.url = url;
    this.db = db;
    this.rows = rows;
  }

  async createTable(): Promise<void> {
    const c = await connect(this.url);
    try {
      await c.query(`CREATE DATABASE IF NOT EXISTS \`${this.db}\``);
      await c.query(`CREATE TABLE \`${this.db}\`.acct (id INT PRIMARY KEY, v BIGINT NOT NULL, note VARCHAR(64) NOT NULL)`);
      const values = Array.from({ length: this.rows }, (_, i) => [i + 1, 0, 'start']);
      await c.query(`INSERT INTO \`${this.db}\`.acct VALUES ?`, [values]);
    } finally {
      await c.end();
    }
  }

  start(workers = 2): void {
    this.running = true;
    for (let w = 0; w < workers; w++) this.workers.push(this.worker(w));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
  }

  private async worker(w: number): Promise<void> {
    const c: mysql.Connection = await connect(this.url);
    let n = 0;
    try {
      while (this.running) {
        n++;
        await c.beginTransaction();
        if (n % 25 === 0) {
          const from = 1 + Math.floor(Math.random() * (this.rows - 20));
          await c.query(`UPDATE \`${this.db}\`.acct SET v = v + 1, note = ? WHERE id BETWEEN ? AND ?`, [
            `w${w} range ${n}`,
            from,
            from + 19,
          ]);
        } else {
          const k = 1 + Math.floor(Math.random() * 3);
          const ids = new Set(Array.from({ length: k }, () => 1 + Math.floor(Math.random() * this.rows)));
          // Sorted, so that two workers never deadlock on each other's rows.
          for (const id of [...ids].sort((a, b) => a - b)) {
            await c.query(`UPDATE \`${this.db}\`.acct SET v = v + 1, note = ? WHERE id = ?`, [`w${w} tx ${n}`, id]);
          }
        }
        await c.commit();
        this.transactions++;
      }
    } finally {
      await c.end();
    }
  }
}
