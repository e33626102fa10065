import { createInterface } from 'node:readline/promises';
import { type ErrorCode, SluiceError } from '@sluice/core';

/** Asks on the terminal for "yes"; no terminal means no answer, which is a refusal (`code`). */
export async function confirm(question: string, code: ErrorCode, what: string): Promise<void> {
  if (!process.stdin.isTTY) {
    throw new SluiceError(code, `no terminal to confirm on: run with --yes to ${what} without asking`);
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} type yes: `);
    if (answer.trim().toLowerCase() !== 'yes') throw new SluiceError(code, 'not confirmed');
  } finally {
    rl.close();
  }
}
