import { createLogger, createMetricsRegistry, SluiceError } from '@sluice/core';
import { FakeKafka } from '@sluice/core/testing';
import { describe, expect, it } from 'vitest';
import { captureConfigSchema } from './config.ts';
import { CaptureMetrics } from './observe/capture-metrics.ts';
import { anotherInstanceStarted, startMarkerKey } from './publish/takeover.ts';
import { CaptureSupervisor, RETRY_CAP_MS, type SupervisedRun } from './supervisor.ts';

const cfg = captureConfigSchema.parse({
  captureId: 'c1',
  source: { url: 'mysql://u:p@h:3306/' },
  kafka: { brokers: ['k:9092'] },
  schemaRegistry: { url: 'http://r/' },
});
const log = createLogger('test', 'silent');

/** A broker's answer the client could not place (what an EndTxn racing a newcomer can get). */
const brokerError = () =>
  new SluiceError('KAFKA_UNAVAILABLE', 'kafka transaction: unknown server error', {
    cause: Object.assign(new Error('The server experienced an unexpected error'), {
      name: 'KafkaJSProtocolError',
      type: 'UNKNOWN_SERVER_ERROR',
    }),
  });
/** No broker answered at all. */
const outage = () =>
  new SluiceError('KAFKA_UNAVAILABLE', 'kafka: connection refused', {
    cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9092'), { name: 'KafkaJSConnectionError' }),
  });

/** A run that fails with `error` (or, without one, runs until stopped), and says whether it was replaced. */
class ScriptedRun implements SupervisedRun {
  ready = false;
  stopped = false;
  replacedAsked = 0;
  private readonly error: Error | undefined;
  private readonly isReplaced: () => Promise<boolean>;
  private end: () => void = () => undefined;

  constructor(error: Error | undefined, replaced: () => Promise<boolean> = async () => false) {
    this.error = error;
    this.isReplaced = replaced;
  }

  async run(): Promise<void> {
    if (this.error) throw this.error;
    this.ready = true;
    await new Promise<void>((r) => {
      this.end = r;
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.end();
  }

  replaced(): Promise<boolean> {
    this.replacedAsked++;
    return this.isReplaced();
  }
}

/** A supervisor over the given runs, in order; the last one runs until the test stops the supervisor. */
function supervise(runs: ScriptedRun[]) {
  const started: ScriptedRun[] = [];
  const sleeps: number[] = [];
  const notes: string[] = [];
  const supervisor = new CaptureSupervisor(cfg, log, new CaptureMetrics(createMetricsRegistry('capture')), undefined, {
    notes: {
      failing: async (e, failures) => void notes.push(`failing ${e.code} ${failures}`),
      stopped: async (e) => void notes.push(`stopped ${e.code}`),
      running: async () => void notes.push('running'),
      close: async () => undefined,
    },
    newRun: () => {
      const run = runs[started.length] ?? new ScriptedRun(undefined);
      started.push(run);
      // The healthy run is up: the test has seen what it wanted.
      if (!run.ready && started.length === runs.length + 1) queueMicrotask(() => void supervisor.stop());
      return run;
    },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  return { supervisor, started, sleeps, notes };
}

describe('CaptureSupervisor: restart and fencing decisions', () => {
  it('restarts after retriable failures, with backoff capped at RETRY_CAP_MS, stopping each failed run', async () => {
    const failed = [
      new ScriptedRun(new SluiceError('SOURCE_UNREACHABLE', 'source gone')),
      new ScriptedRun(new SluiceError('REGISTRY_UNAVAILABLE', 'registry gone')),
      new ScriptedRun(outage()),
    ];
    const { supervisor, started, sleeps } = supervise(failed);
    await supervisor.run();
    expect(started).toHaveLength(4);
    expect(failed.every((r) => r.stopped)).toBe(true);
    expect(sleeps).toHaveLength(3);
    for (const ms of sleeps) expect(ms).toBeLessThanOrEqual(RETRY_CAP_MS);
    // No broker answered: an outage says nothing of a newcomer, so nobody asked.
    expect(failed[2]?.replacedAsked).toBe(0);
  });

  it('notes each failed run and a stop for sluice status', async () => {
    const { supervisor, notes } = supervise([
      new ScriptedRun(new SluiceError('SOURCE_UNREACHABLE', 'source gone')),
      new ScriptedRun(new SluiceError('SOURCE_UNREACHABLE', 'source gone')),
    ]);
    await supervisor.run();
    expect(notes).toEqual(['failing SOURCE_UNREACHABLE 1', 'failing SOURCE_UNREACHABLE 2']);
    const stop = supervise([new ScriptedRun(new SluiceError('BINLOG_PURGED', 'gone'))]);
    await expect(stop.supervisor.run()).rejects.toThrow('gone');
    expect(stop.notes).toEqual(['stopped BINLOG_PURGED']);
  });

  it('stops when fenced: KAFKA_FENCED is not retriable and no new run starts', async () => {
    const fenced = new SluiceError('KAFKA_FENCED', 'producer fenced');
    const { supervisor, started } = supervise([new ScriptedRun(fenced)]);
    await expect(supervisor.run()).rejects.toBe(fenced);
    expect(started).toHaveLength(1);
  });

  it('stops a run whose Kafka failure was a takeover that Kafka did not call one (a newer start marker)', async () => {
    const run = new ScriptedRun(brokerError(), async () => true);
    const { supervisor, started } = supervise([run]);
    const err = (await supervisor.run().catch((e: unknown) => e)) as SluiceError;
    expect(err.code).toBe('KAFKA_FENCED');
    expect(err.cause).toBeInstanceOf(SluiceError);
    expect(run.replacedAsked).toBe(1);
    expect(started).toHaveLength(1);
  });

  it('restarts after a Kafka failure when no other instance started, or when that cannot be checked', async () => {
    const alone = new ScriptedRun(brokerError(), async () => false);
    const unknown = new ScriptedRun(brokerError(), async () => {
      throw new Error('kafka still away');
    });
    const { supervisor, started } = supervise([alone, unknown]);
    await supervisor.run();
    expect(started).toHaveLength(3);
    expect([alone.replacedAsked, unknown.replacedAsked]).toEqual([1, 1]);
  });

  it('rethrows what is not a SluiceError (a bug, not an outage)', async () => {
    const bug = new TypeError('undefined is not a function');
    const { supervisor, started } = supervise([new ScriptedRun(bug)]);
    await expect(supervisor.run()).rejects.toBe(bug);
    expect(started).toHaveLength(1);
  });

  it("decides by the checkpoint topic's start markers (the fake Kafka): a newer instance's marker stops it", async () => {
    const kafka = new FakeKafka();
    const topic = 'p._checkpoints';
    kafka.createTopic(topic);
    const [mine] = kafka.append([{ topic, message: { key: startMarkerKey('c1'), value: null } }]);
    const since = { partition: 0, offset: mine?.offset as string };
    const replaced = () => anotherInstanceStarted({ kafka, topic, captureId: 'c1', since });
    // Only this instance's own marker: a restart.
    const first = new ScriptedRun(brokerError(), replaced);
    const a = supervise([first]);
    await a.supervisor.run();
    expect(a.started).toHaveLength(2);
    // A standby started (its marker follows this one's): fenced.
    kafka.append([{ topic, message: { key: 'c1#start-another-process-run', value: null } }]);
    const second = new ScriptedRun(brokerError(), replaced);
    const b = supervise([second]);
    expect(((await b.supervisor.run().catch((e: unknown) => e)) as SluiceError).code).toBe('KAFKA_FENCED');
  });
});
