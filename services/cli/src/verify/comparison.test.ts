import { describe, expect, it } from 'vitest';
import { planComparison, type TableShape } from './comparison.ts';

const shape = (columns: [string, string, string][], key = ['id']): TableShape => ({
  database: 'd',
  table: 't',
  columns: columns.map(([name, dataType, columnType]) => ({ name, dataType, columnType })),
  key,
});

describe('planComparison', () => {
  const source = shape([
    ['id', 'int', 'int(11)'],
    ['f', 'float', 'float'],
    ['js', 'json', 'json'],
    ['secret', 'varchar', 'varchar(10)'],
    ['gone', 'int', 'int(11)'],
  ]);
  const target = shape([
    ['id', 'int', 'int'],
    ['f', 'float', 'float'],
    ['js', 'json', 'json'],
    ['secret', 'varchar', 'varchar(10)'],
    ['added', 'int', 'int'],
  ]);

  it('compares what both sides can print alike and says why the rest is left out', () => {
    const c = planComparison(source, target, { sameFlavor: false, skip: new Map([['secret', 'masked by capture']]) });
    expect(c.columns.map((x) => x.name)).toEqual(['id', 'f']);
    expect(c.key.map((x) => x.name)).toEqual(['id']);
    expect(c.copy.map((x) => x.name)).toEqual(['id', 'f', 'js']);
    expect(c.notes).toEqual([
      'js: not compared (JSON stored as json on the source and json on the target; servers render it differently)',
      'secret: not compared (masked by capture)',
      'gone: missing in the target',
      'added: only in the target, not compared',
    ]);
    expect(c.schemaDiffers).toBe(true);
  });

  it('compares native JSON between servers of one flavour', () => {
    const c = planComparison(source, target, { sameFlavor: true });
    expect(c.columns.map((x) => x.name)).toContain('js');
  });

  it('ignores integer display widths but notes other type differences', () => {
    const c = planComparison(
      shape([
        ['id', 'int', 'int(11)'],
        ['d', 'decimal', 'decimal(10,2)'],
      ]),
      shape([
        ['id', 'int', 'int'],
        ['d', 'decimal', 'decimal(12,2)'],
      ]),
      {
        sameFlavor: true,
      },
    );
    expect(c.notes).toEqual(['d: decimal(10,2) on the source, decimal(12,2) on the target']);
    expect(c.schemaDiffers).toBe(false);
  });
});
