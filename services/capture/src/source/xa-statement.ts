/**
 * XA (two-phase) transactions in the binlog. Both MySQL and MariaDB write a prepared XA
 * transaction's rows at XA PREPARE (an XA_PREPARE event ends that group) and its outcome later, in
 * a group of its own, as the query `XA COMMIT <xid>` or `XA ROLLBACK <xid>`. XA START / XA END are
 * bookkeeping queries inside the prepare group. The server logs the xid canonically:
 * `X'<gtrid hex>',X'<bqual hex>',<formatID>`.
 */
export type XaStatement = { verb: 'start' | 'end' | 'prepare' | 'commit' | 'rollback'; xid: string; onePhase: boolean };

const XA = /^XA\s+(START|BEGIN|END|PREPARE|COMMIT|ROLLBACK)\s+(.*?)(\s+ONE\s+PHASE)?\s*$/is;

/** The XA statement a query event holds, or undefined for any other query. */
export function parseXa(query: string): XaStatement | undefined {
  const m = XA.exec(query.trim());
  if (!m) return undefined;
  const verb = (m[1] as string).toLowerCase();
  return { verb: verb === 'begin' ? 'start' : (verb as XaStatement['verb']), xid: (m[2] as string).trim(), onePhase: !!m[3] };
}

/** The canonical xid text of an XA_PREPARE event's fields, as the XA COMMIT query spells it. */
export function xidText(gtrid: Buffer, bqual: Buffer, formatId: number): string {
  return `X'${gtrid.toString('hex')}',X'${bqual.toString('hex')}',${formatId}`;
}
