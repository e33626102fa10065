/**
 * A change's place in the source history as one number, for the stale-write guard: binlog file
 * sequence, position of the transaction's commit, row index within the transaction. It orders
 * changes of one source server (and its binlog lineage); positions of different servers are not
 * comparable, which is why the guard is opt-in.
 */
export function sourceVersion(source: { file: string; pos: bigint | number; row: number }): string {
  const seq = BigInt(source.file.slice(source.file.lastIndexOf('.') + 1) || '0');
  return (seq * 10n ** 20n + BigInt(source.pos) * 10n ** 9n + BigInt(source.row)).toString();
}
