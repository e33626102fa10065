import { createKafka, createLogger, keySubject, valueSubject } from '@sluice/core';

/**
 * Removes what a bench run left in Kafka and the registry: the topics of its prefix, their
 * subjects, and its consumer groups. Best effort: a failure is reported, never thrown, so that the
 * other clean-up steps still run.
 */
export async function cleanKafka(opts: {
  brokers: string[];
  registryUrl: string;
  prefix: string;
  groupPrefixes: string[];
}): Promise<string[]> {
  const problems: string[] = [];
  const kafka = createKafka({ brokers: opts.brokers, clientId: 'sluice-bench', log: createLogger('bench', 'error') });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${opts.prefix}.`));
    if (topics.length) await admin.deleteTopics({ topics }).catch((e) => problems.push(`delete topics: ${e.message}`));
    const { groups } = await admin.listGroups();
    const ours = groups.map((g) => g.groupId).filter((id) => opts.groupPrefixes.some((p) => id.startsWith(p)));
    // A group that never committed offsets is gone once its last member leaves: not a problem.
    await admin.deleteGroups(ours).catch((e: { message: string; groups?: { groupId: string; error?: { type?: string } }[] }) => {
      const real = (e.groups ?? []).filter((g) => g.error?.type !== 'GROUP_ID_NOT_FOUND');
      if (real.length || !e.groups) problems.push(`delete groups: ${e.message} ${real.map((g) => g.groupId).join(', ')}`);
    });
    const base = opts.registryUrl.replace(/\/$/, '');
    // Every subject of the prefix: capture registers some (e.g. `<prefix>._truncate-key`) with no topic.
    const listed = await fetch(`${base}/subjects`)
      .then((r) => r.json() as Promise<string[]>)
      .catch(() => [] as string[]);
    const subjects = new Set([...topics.flatMap((t) => [keySubject(t), valueSubject(t)]), ...listed]);
    for (const subject of [...subjects].filter((x) => x.startsWith(`${opts.prefix}.`))) {
      // Soft delete first: the Confluent API only deletes permanently what is soft-deleted.
      for (const q of ['', '?permanent=true']) {
        await fetch(`${base}/subjects/${encodeURIComponent(subject)}${q}`, { method: 'DELETE' }).catch((e) =>
          problems.push(`delete subject ${subject}: ${e.message}`),
        );
      }
    }
  } finally {
    await admin.disconnect();
  }
  return problems;
}
