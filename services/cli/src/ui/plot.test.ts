import { describe, expect, it } from 'vitest';
import { freshnessPlot, segments } from './plot.ts';

describe('freshnessPlot', () => {
  it('breaks the line where the freshness was unknown', () => {
    expect(
      segments([
        [1, 1],
        [2, null],
        [3, 2],
        [4, 3],
        [5, null],
      ]),
    ).toEqual([
      [[1, 1]],
      [
        [3, 2],
        [4, 3],
      ],
    ]);
  });

  it('draws a polyline per run and a dot for a lone sample, leaving out samples outside the window', () => {
    const svg = freshnessPlot(
      [
        [-10, 99], // before the window: not drawn, not in the scale
        [0, 2],
        [50, null],
        [60, 1],
        [90, 0],
        [100, 4],
      ],
      100,
      100,
      'freshness of "x" <y>',
    );
    expect(svg).toContain('<circle class="dot" cx="0.0" cy="28.0" r="1.5"></circle>');
    expect(svg).toContain('<polyline class="line" points="144.0,42.0 216.0,56.0 240.0,0.0"></polyline>');
    expect(svg).toContain('>4.0 s</text>');
    expect(svg).toContain('aria-label="freshness of &quot;x&quot; &lt;y&gt;"');
    expect(svg).not.toContain('99');
  });

  it('says when there are no samples, with a scale of at least one second and a minute', () => {
    const svg = freshnessPlot([], 1_000, 3_600_000, 'f');
    expect(svg).toContain('no samples yet');
    expect(svg).toContain('>1.0 s</text>');
    expect(svg).toContain('>-60 s</text>');
  });

  it('spans from the first sample to now, up to the whole window', () => {
    const hour = 3_600_000;
    const young = freshnessPlot(
      [
        [hour - 600_000, 1],
        [hour, 1],
      ],
      hour,
      hour,
      'f',
    );
    expect(young).toContain('points="0.0,0.0 240.0,0.0"');
    expect(young).toContain('>-10 min</text>');
    const old = freshnessPlot(
      [
        [-hour, 5],
        [0, 1],
        [hour / 2, 1],
        [hour, 1],
      ],
      hour,
      hour,
      'f',
    );
    expect(old).toContain('points="0.0,0.0 120.0,0.0 240.0,0.0"');
    expect(old).toContain('>-60 min</text>');
  });
});
