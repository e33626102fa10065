import { describe, expect, it } from 'vitest';
import { type BrokerSizes, type Leaders, leaderSizes } from './sizes.ts';

describe('topic sizes', () => {
  const leaders: Leaders = new Map([
    [
      'p.a',
      [
        { partition: 0, leader: 1 },
        { partition: 1, leader: 2 },
      ],
    ],
    ['p.b', [{ partition: 0, leader: 2 }]],
    ['p.c', [{ partition: 0, leader: 3 }]],
  ]);

  it('sums the partitions on their leaders, not the followers', () => {
    const brokers: BrokerSizes = new Map([
      [
        1,
        new Map([
          [
            'p.a',
            new Map([
              [0, 100],
              [1, 7],
            ]),
          ], // 1 follows p.a/1: not counted
          ['p.b', new Map([[0, 5]])],
        ]),
      ],
      [
        2,
        new Map([
          ['p.a', new Map([[1, 20]])],
          ['p.b', new Map([[0, 30]])],
        ]),
      ],
      [3, new Map([['p.c', new Map([[0, 0]])]])],
    ]);
    const sizes = leaderSizes(leaders, brokers);
    expect(sizes.get('p.a')).toEqual({
      size: 120,
      partitions: new Map([
        [0, 100],
        [1, 20],
      ]),
    });
    expect(sizes.get('p.b')?.size).toBe(30);
    expect(sizes.get('p.c')?.size).toBe(0);
  });

  it('makes a topic unknown when a leader refused or did not list a partition', () => {
    const brokers: BrokerSizes = new Map<number, Map<string, Map<number, number>> | Error>([
      [1, new Map([['p.a', new Map([[0, 100]])]])],
      [2, new Error('refused')],
      [3, new Map()],
    ]);
    const sizes = leaderSizes(leaders, brokers);
    expect(sizes.get('p.a')).toEqual({
      size: null,
      partitions: new Map([
        [0, 100],
        [1, null],
      ]),
    });
    expect(sizes.get('p.b')?.size).toBeNull();
    expect(sizes.get('p.c')?.size).toBeNull();
    expect(leaderSizes(new Map([['p.d', [{ partition: 0, leader: -1 }]]]), brokers).get('p.d')?.size).toBeNull();
  });
});
