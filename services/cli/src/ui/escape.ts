// Pure, without imports at run time: served to the browser as well (see modules.ts).

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Any value as text safe inside HTML element content and quoted attribute values: every name and
 * message on the page (tables, databases, errors) goes through it. Unicode passes as it is.
 */
export const esc = (v: unknown): string => String(v ?? '').replace(/[&<>"']/g, (c) => ENTITIES[c] as string);
