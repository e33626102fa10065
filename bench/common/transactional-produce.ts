/**
 * Produces records into one topic as the capture does: transactions of about 8 MiB, requests of
 * 512 KiB (transactional-publisher.ts). Times only the producing; the producer is the caller's.
 */
import { chunkRecords, type OutgoingRecord, type TransactionalProducer } from '@sluice/core';
import { procStats } from '../capture/proc.ts';

const TXN_BYTES = 8 * 1024 * 1024;
const SEND_BYTES = 512 * 1024;

export async function produceInTransactions(
  producer: TransactionalProducer,
  topic: string,
  records: OutgoingRecord[],
): Promise<{ seconds: number; transactions: number; cpuSeconds: number }> {
  const cpu0 = procStats('self')?.cpuSeconds ?? 0;
  const t0 = performance.now();
  let transactions = 0;
  for (let i = 0; i < records.length; ) {
    const unit: { topic: string; message: OutgoingRecord }[] = [];
    let bytes = 0;
    while (i < records.length && (unit.length === 0 || bytes < TXN_BYTES)) {
      const m = records[i++] as OutgoingRecord;
      bytes += (m.key?.length ?? 0) + (m.value?.length ?? 0) + 64;
      unit.push({ topic, message: m });
    }
    const txn = await producer.transaction();
    for (const chunk of chunkRecords(unit, SEND_BYTES)) await txn.sendBatch({ topicMessages: chunk });
    await txn.commit();
    transactions++;
  }
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, transactions, cpuSeconds: (procStats('self')?.cpuSeconds ?? 0) - cpu0 };
}
