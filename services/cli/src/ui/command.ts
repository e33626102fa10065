import type { AddressInfo } from 'node:net';
import { SluiceError } from '@sluice/core';
import { intFlag, parseFlags } from '../shared/args.ts';
import { collectStatus } from '../status/collect.ts';
import { openStatusInputs, STATUS_INPUT_OPTIONS } from '../status/command.ts';
import { Sampler } from './sampler.ts';
import { serve } from './server.ts';

export const UI_HELP = `sluice ui: a status page in the browser

usage: sluice ui [--port <n>] [--host <addr>] [--interval <s>] [status options]

Serves one page that draws the pipeline, source → capture → Kafka topics → each sink → its
target, with what sluice status reports: positions, lag, offsets to apply, target freshness
(with a plot of the last hour), errors and stop reasons, dead letters, pending DDL and the last
verify result. The page refreshes itself every --interval seconds.

The ui process collects the status every --interval seconds, with sluice status's own code, and
keeps each target's freshness samples of the last hour in memory (they start when it starts).
GET /api/status is the last report, the document sluice status --json prints; /api/history the
samples. The page has no login: it listens on 127.0.0.1 unless --host says otherwise.

options:
  --port <n>               port to listen on (default 8470; 0 picks a free one)
  --host <addr>            address to listen on (default 127.0.0.1)
  --interval <s>           seconds between collections and page refreshes (default 5)
  --capture-config, --sink-config, --sink, --source, --capture-metrics, --brokers, --topic-prefix,
  --max-lag                as for sluice status (sluice status --help)
  -h, --help               this text`;

const OPTIONS = {
  ...STATUS_INPUT_OPTIONS,
  port: { type: 'string' },
  host: { type: 'string' },
  interval: { type: 'string' },
} as const;

export async function uiCommand(argv: string[]): Promise<number> {
  const f = parseFlags('ui', argv, OPTIONS);
  if (f.help) {
    process.stdout.write(`${UI_HELP}\n`);
    return 0;
  }
  const port = intFlag('ui', 'port', f.port, 8470, 0, 65535);
  const host = f.host ?? '127.0.0.1';
  const intervalMs = intFlag('ui', 'interval', f.interval, 5, 1, 3600) * 1000;
  const inputs = await openStatusInputs('ui', f);
  const sampler = new Sampler(() => collectStatus(inputs), intervalMs);
  try {
    const server = await serve(sampler, host, port).catch((err: NodeJS.ErrnoException) => {
      throw new SluiceError('CONFIG_INVALID', `sluice ui: cannot listen on ${host}:${port}: ${err.code ?? err.message}`, {
        cause: err,
      });
    });
    sampler.start();
    const a = server.address() as AddressInfo;
    const shown = a.family === 'IPv6' ? `[${a.address}]` : a.address;
    process.stdout.write(`sluice ui: http://${shown}:${a.port}/ (status every ${intervalMs / 1000} s; Ctrl-C stops)\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    return 0;
  } finally {
    await sampler.stop();
    await inputs.admin.disconnect().catch(() => undefined);
  }
}
