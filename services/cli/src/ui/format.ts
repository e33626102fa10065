import { count } from '../output/table.ts';

// Pure: served to the browser as well (see modules.ts). Numbers as the page shows them.

/** Seconds with one decimal ("3.2 s"), or "-" when unknown. */
export const secs = (s: number | null | undefined): string => (s === null || s === undefined ? '-' : `${s.toFixed(1)} s`);

/** A whole number with thousands separators ("1,234,567"), or "-" when unknown. */
export const num = (n: number | null | undefined): string => (n === null || n === undefined ? '-' : count(n));

/** A binlog position as status prints it: file:pos. */
export const binlogPosition = (file: string, pos: number): string => `${file}:${pos}`;
