import { SluiceError } from '../errors.ts';
import { didYouMean } from './did-you-mean.ts';

const USAGE = 'usage: --config <file>, or SLUICE_CONFIG=<file>';

/**
 * The config file of a service: `--config <file>`, `--config=<file>`, else SLUICE_CONFIG. Any
 * other argument is refused (CONFIG_INVALID), so that a mistyped `--confg` cannot start the
 * service on defaults and environment variables alone.
 */
export function configFileFromArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): string | undefined {
  let file: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    if (flag !== '--config') {
      const meant = arg.startsWith('-') ? didYouMean(flag, ['--config']) : undefined;
      throw new SluiceError(
        'CONFIG_INVALID',
        `unknown argument ${JSON.stringify(arg)}${meant ? `; did you mean ${meant}?` : ''} (${USAGE})`,
      );
    }
    if (file !== undefined) throw new SluiceError('CONFIG_INVALID', `--config is given twice (${USAGE})`);
    file = inline ?? argv[++i];
    if (!file || (inline === undefined && file.startsWith('--')))
      throw new SluiceError('CONFIG_INVALID', `--config needs a file name (${USAGE})`);
  }
  return file ?? (env.SLUICE_CONFIG || undefined);
}
