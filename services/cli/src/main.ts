#!/usr/bin/env node
import { didYouMean, ERROR_CODES, SluiceError } from '@sluice/core';
import { archiveCommand } from './archive/command.ts';
import { backupCommand } from './backup/command.ts';
import { bootstrapCommand } from './bootstrap/command.ts';
import { ddlCommand } from './ddl/command.ts';
import { replayCommand } from './replay/command.ts';
import { restoreCommand } from './restore/command.ts';
import { schemaCommand } from './schema/command.ts';
import { statusCommand } from './status/command.ts';
import { switchoverCommand } from './switchover/command.ts';
import { topicsCommand } from './topics/command.ts';
import { uiCommand } from './ui/command.ts';
import { verifyCommand } from './verify/command.ts';

const HELP = `sluice: the operator CLI of the sluice CDC pipeline

usage: sluice <command> [options]      (sluice <command> --help for each)

commands:
  verify     compare source and target tables (chunked checksums, then rows); --fix print|apply
  status     capture position and lag, sink groups' offsets, lag and target freshness
  replay     reset a sink group's offsets (to a time, an offset, earliest, latest) to re-apply history
  bootstrap  prepare a new sink group to build a new target from the (compacted) topics
  topics     the prefix's topics: partitions, cleanup.policy, retention, records
  schema     a table's registered schema versions and its column type mapping
  ddl        DDL a target refused: list, skip or replace it for a sink (DM's handle-error)
  switchover move the primary role from A to B: drain and verify A -> B, then start B -> A
  ui         a status page in the browser: the pipeline as a picture, freshness over the last hour
  archive    ls: what an archive sink keeps per table (files, source time ranges, rows, sizes)
  backup     a base backup of the selected tables from their topics into the archive
  restore    point-in-time restore: a base and the archive up to --to-time/--to-position, into a new database

Connection settings come from flags, the services' config files (--capture-config,
--sink-config), SLUICE_* variables, and on the local stack from .stack/stack.env.
Exit codes: 0 ok, 1 a difference or a part in error, 2 the command could not run.`;

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  verify: verifyCommand,
  status: statusCommand,
  replay: replayCommand,
  bootstrap: bootstrapCommand,
  topics: topicsCommand,
  schema: schemaCommand,
  ddl: ddlCommand,
  switchover: switchoverCommand,
  ui: uiCommand,
  archive: archiveCommand,
  backup: backupCommand,
  restore: restoreCommand,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${HELP}\n`);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    const meant = didYouMean(name, Object.keys(COMMANDS));
    throw new SluiceError(
      'CONFIG_INVALID',
      `unknown command ${JSON.stringify(name)}${meant ? `; did you mean ${meant}?` : ''} (commands: ${Object.keys(COMMANDS).join(', ')})`,
    );
  }
  return command(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof SluiceError) {
      process.stderr.write(`sluice: ${err.code}: ${err.message}\n  fix: ${ERROR_CODES[err.code].fix}\n`);
    } else {
      process.stderr.write(`sluice: ${(err as Error)?.stack ?? err}\n`);
    }
    process.exitCode = 2;
  },
);
