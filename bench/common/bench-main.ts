/**
 * The frame every bench runs in: clean-up exactly once (also on Ctrl-C or SIGTERM), a failure
 * printed with exit code 1, the total time, and an exit that does not wait for sockets kafkajs
 * and mysql2 keep a moment longer once the figures are out.
 */
export async function runBench(opts: {
  name: string;
  log: (msg: string) => void;
  began: number;
  run: () => Promise<void>;
  cleanUp: () => Promise<void>;
  onFailure?: () => void;
}): Promise<never> {
  let cleaning: Promise<void> | undefined;
  const cleanOnce = () => {
    cleaning ??= opts.cleanUp();
    return cleaning;
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      opts.log(`${signal}: cleaning up`);
      void cleanOnce().finally(() => process.exit(130));
    });
  }
  try {
    await opts.run();
  } catch (err) {
    console.error(`${opts.name} failed: ${(err as Error)?.stack ?? err}`);
    opts.onFailure?.();
    process.exitCode = 1;
  } finally {
    await cleanOnce();
    opts.log(`total ${((performance.now() - opts.began) / 1000).toFixed(1)} s`);
  }
  process.exit(process.exitCode ?? 0);
}
