import { redactUrl } from '@sluice/core';

/** One direction of replication: a capture of a server and a sink into the other. */
export interface Pipeline {
  what: string;
  captureId: string;
  sourceUrl: string;
  sourceKind: 'binlog' | 'tidb';
  topicPrefix: string;
  tables: string[];
  sinkName: string;
  targetUrl: string;
}

/** The plan a switchover prints first (and all that --dry-run changes: nothing). */
export function switchoverPlan(fwd: Pipeline, rev: Pipeline): { lines: string[]; problems: string[] } {
  const problems: string[] = [];
  if (redactUrl(fwd.targetUrl) !== redactUrl(rev.sourceUrl)) {
    problems.push(
      `B is not the same server in both: ${fwd.sinkName} writes ${redactUrl(fwd.targetUrl)}, ${rev.captureId} reads ${redactUrl(rev.sourceUrl)}`,
    );
  }
  if (redactUrl(rev.targetUrl) !== redactUrl(fwd.sourceUrl)) {
    problems.push(
      `A is not the same server in both: ${fwd.captureId} reads ${redactUrl(fwd.sourceUrl)}, ${rev.sinkName} writes ${redactUrl(rev.targetUrl)}`,
    );
  }
  if (fwd.topicPrefix === rev.topicPrefix) {
    problems.push(`both directions use the topic prefix ${fwd.topicPrefix}: give each direction its own`);
  }
  if (problems.length) return { lines: ['switchover plan refused:', ...problems.map((p) => `  - ${p}`)], problems };
  const lines = [
    `switchover plan: primary moves from A to B`,
    `  A = ${redactUrl(fwd.sourceUrl)} (${fwd.sourceKind === 'tidb' ? 'TiDB, query capture' : 'binlog capture'} ${fwd.captureId}, topics ${fwd.topicPrefix}.*)`,
    `  B = ${redactUrl(fwd.targetUrl)} (sink ${fwd.sinkName}; its capture ${rev.captureId} is ${rev.sourceKind === 'tidb' ? 'a TiDB query capture' : 'a binlog capture'}, topics ${rev.topicPrefix}.*)`,
    '  1. A takes no writes (read-only, or --writes-stopped)',
    `  2. ${fwd.sinkName} has applied all of A; sluice verify A vs B: equal`,
    `  3. stop ${fwd.captureId} and ${fwd.sinkName}; fence ${fwd.captureId}`,
    `  4. commit ${rev.captureId}'s checkpoint at B's position now`,
    `  5. start ${rev.captureId} and ${rev.sinkName} (B -> A); applications write to B`,
  ];
  return { lines, problems };
}
