import { runJsonChild } from '../common/json-child.ts';
import type { RawJob, RawResult } from './raw-decode-child.ts';

const child = new URL('./raw-decode-child.ts', import.meta.url).pathname;

/** Runs raw-decode-child.ts in its own process and returns what it measured. */
export const rawDecode = (job: RawJob): Promise<RawResult> => runJsonChild<RawResult>(child, job, 'raw zongji reader');
