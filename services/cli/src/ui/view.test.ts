import { describe, expect, it } from 'vitest';
import { esc } from './escape.ts';
import type { UiHistory } from './history.ts';
import { ODD, oddReport } from './report-fixture.ts';
import { renderView } from './view.ts';

const TAGS = new Set(
  'div span h1 h2 h3 header section p ul li b time table thead tbody tr th td code svg title line text polyline circle'.split(
    ' ',
  ),
);

/** Every tag is one the views write, with only double-quoted attributes: no name opened a tag or left an attribute. */
function expectOnlyOwnMarkup(html: string): void {
  for (const m of html.matchAll(/<\/?([^\s>/]+)([^>]*)>/g)) {
    expect(TAGS.has(m[1] as string), `tag ${m[0]}`).toBe(true);
    expect(m[2], `attributes of ${m[0]}`).toMatch(/^(\s+[a-zA-Z][a-zA-Z0-9-]*="[^"<>]*")*\s*$/);
  }
  // Text between tags has no stray markup characters either.
  for (const m of html.matchAll(/>([^<]*)</g)) expect(m[1]).not.toMatch(/[<>"]/);
}

/** The text of `data-field="name"` inside the box of part `part` (data-sink or data-id `key`). */
function fieldOf(html: string, part: string, key: string, name: string): string | undefined {
  const box = html
    .split(`data-part="${part}"`)
    .find((b) => b.startsWith(` data-sink="${esc(key)}"`) || b.startsWith(` data-id="${esc(key)}"`));
  return box ? new RegExp(`data-field="${name}">([^<]*)<`).exec(box)?.[1] : undefined;
}

const history: UiHistory = {
  now: Date.parse('2026-12-02T05:00:00.000Z'),
  windowMs: 3_600_000,
  intervalMs: 5_000,
  freshness: [
    {
      sink: ODD.sink,
      points: [
        [Date.parse('2026-12-02T04:30:00Z'), 1],
        [Date.parse('2026-12-02T04:45:00Z'), 4],
        [Date.parse('2026-12-02T05:00:00Z'), 12.34],
      ],
    },
  ],
  lastError: { at: '2026-12-02T05:00:05.000Z', message: 'KAFKA_UNAVAILABLE: <broker> "down"' },
};

describe('renderView', () => {
  const html = renderView({ report: oddReport(), history });

  it('escapes every name and message: odd names never become markup', () => {
    expectOnlyOwnMarkup(html);
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<b>"x"');
    expect(html).toContain('sink&lt;b&gt;&quot;x&quot;&lt;/b&gt;');
    expect(html).toContain('t&#39;q&amp;&lt;script&gt;alert(1)&lt;/script&gt;_日本語');
    expect(html).toContain('cap&amp;&quot;1&quot;&lt;i&gt;');
    expect(html).toContain('p&lt;re&gt;.*');
    expect(html).toContain('a note with &lt;markup&gt; &amp; &quot;quotes&quot;');
    expect(html).toContain('KAFKA_UNAVAILABLE: &lt;broker&gt; &quot;down&quot;');
  });

  it('shows the numbers of the report in the picture', () => {
    expect(fieldOf(html, 'source', '', 'position')).toBeUndefined();
    expect(html).toMatch(
      /data-part="source"><h3>source<\/h3><div class="kv"><span class="k">binlog<\/span> <span class="v" data-field="position">mariadb-bin.000007:4242</,
    );
    expect(fieldOf(html, 'capture', ODD.capture, 'checkpoint')).toBe('mariadb-bin.000007:4000');
    expect(fieldOf(html, 'capture', ODD.capture, 'lag-seconds')).toBe('2.5 s');
    expect(fieldOf(html, 'capture', ODD.capture, 'lag-bytes')).toBe('242');
    expect(fieldOf(html, 'capture', ODD.capture, 'events')).toBe('1,234');
    // Heartbeat partitions are left out of the offsets; the closing marker is not counted as lag.
    expect(fieldOf(html, 'sink', ODD.sink, 'lag')).toBe('4');
    expect(fieldOf(html, 'sink', ODD.sink, 'committed')).toBe('40');
    expect(fieldOf(html, 'sink', ODD.sink, 'end')).toBe('45');
    expect(fieldOf(html, 'sink', ODD.sink, 'behind')).toBe('1 of 1');
    expect(fieldOf(html, 'sink', ODD.sink, 'dead-letters')).toBe('3');
    expect(fieldOf(html, 'sink', ODD.sink, 'state')).toBe('stopped');
    expect(fieldOf(html, 'target', ODD.sink, 'freshness')).toBe('12.3 s');
    expect(fieldOf(html, 'target', ODD.sink, 'verify')).toBe('1 of 4 tables differ');
    expect(fieldOf(html, 'target', ODD.sink, 'ddl-pending')).toBe('1');
    expect(fieldOf(html, 'target', 'tidb', 'freshness')).toBe('error');
    expect(fieldOf(html, 'sink', 'tidb', 'lag')).toBe('0');
    expect(fieldOf(html, 'topics', '', 'topics')).toBeUndefined();
    expect(html).toMatch(/data-field="topics">1</);
    expect(html).toContain('data-field="overall">2 parts in error<');
  });

  it('lists stop reasons, dead letters, pending DDL and the last verify', () => {
    const stops = html.slice(html.indexOf('data-section="stops"'), html.indexOf('data-section="dead-letters"'));
    expect(stops).toContain('<td data-field="code">TARGET_REJECTED</td>');
    expect(stops).toContain(`<td data-field="where">${esc(`${ODD.prefix}.${ODD.db}.${ODD.table}`)}[0] offset 41</td>`);
    expect(stops).toContain('<td data-field="at">2026-12-02T04:59:00.125Z</td>');
    const dead = html.slice(html.indexOf('data-section="dead-letters"'), html.indexOf('data-section="ddl"'));
    expect(dead).toContain('<td data-field="count">3</td>');
    expect(dead).toContain('Data too long for column &#39;v&lt;1&gt;&#39;');
    expect(html).toContain('<td data-field="ddl-id">ddl-&lt;7&gt;</td>');
    expect(html).toContain(`<td data-field="different">${esc(`${ODD.db}.${ODD.table}`)} (2 rows)</td>`);
  });

  it('draws the freshness of the last hour as a polyline, scaled to the largest value', () => {
    const svg = /<svg class="plot"[\s\S]*?<\/svg>/.exec(html.slice(html.indexOf('data-part="target"')))?.[0] ?? '';
    // 30, 15 and 0 minutes ago, the first sample on the left: x = 0, 120, 240; 12.34 s is the top (y = 0).
    expect(svg).toMatch(/<polyline class="line" points="0\.0,51\.5 120\.0,37\.8 240\.0,0\.0">/);
    expect(svg).toContain('>-30 min</text>');
    expect(svg).toContain('>12.3 s</text>');
  });

  it('says it is collecting before the first report, and shows a failed fetch', () => {
    const first = renderView({ report: undefined, history: undefined, fetchError: 'Failed to fetch <x>' });
    expectOnlyOwnMarkup(first);
    expect(first).toContain('collecting the first status');
    expect(first).toContain('cannot reach the ui process: Failed to fetch &lt;x&gt;');
  });
});
