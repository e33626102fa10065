import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { z } from 'zod';
import { unreadableReason } from './config-file.ts';

const HIDDEN = '[redacted]';

/**
 * A password or private key from the config, a file or the environment. It prints as [redacted]
 * however it is printed (JSON, so pino's logs; util.inspect; a template string): only reveal()
 * gives the value, and only the code that hands it to a client calls it.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return HIDDEN;
  }

  toJSON(): string {
    return HIDDEN;
  }

  [inspect.custom](): string {
    return `Secret(${HIDDEN})`;
  }
}

/**
 * A file the config names, read at start-up (config load), with the config's error when it cannot
 * be: the field is named by the issue's path, the message names the file and the reason.
 */
export function readNamedFile(path: string, what: string, ctx: z.RefinementCtx): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (cause) {
    ctx.addIssue({ code: 'custom', message: `cannot read the ${what} ${path}: ${unreadableReason(cause)}` });
    return undefined;
  }
}

/** A password written in the config (or set by an environment variable such as SLUICE_KAFKA_SASL_PASSWORD). */
export const secretText = z
  .string()
  .min(1)
  .transform((s) => new Secret(s));

/**
 * A file holding a password (a Kubernetes or Docker secret, say), read at start-up: its text
 * without the line end it usually has.
 */
export const secretFile = z
  .string()
  .min(1)
  .transform((path, ctx) => {
    const text = readNamedFile(path, 'password file', ctx);
    if (text === undefined) return z.NEVER;
    const value = text.replace(/\r?\n$/, '');
    if (!value) {
      ctx.addIssue({ code: 'custom', message: `the password file ${path} is empty` });
      return z.NEVER;
    }
    return new Secret(value);
  });

/** `password` (in the file or from the environment) or `passwordFile`: one of them, never both. */
export const passwordFields = {
  password: secretText.optional(),
  passwordFile: secretFile.optional(),
};

export interface PasswordFields {
  password?: Secret;
  passwordFile?: Secret;
}

/** Refuses a section that gives both password and passwordFile: which one wins would be a guess. */
export function notBothPasswords(v: PasswordFields, ctx: z.RefinementCtx): void {
  if (v.password && v.passwordFile) {
    ctx.addIssue({
      code: 'custom',
      path: ['passwordFile'],
      message: 'password is set too (in the file or by its environment variable): give one of password and passwordFile',
    });
  }
}

/** The password of a section, from whichever of password and passwordFile it has. */
export const passwordOf = (v: PasswordFields): Secret | undefined => v.password ?? v.passwordFile;
