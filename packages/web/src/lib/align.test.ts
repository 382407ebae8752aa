import { describe, expect, it } from 'vitest';
import { alignSeries, stackColumns } from './align';

describe('alignSeries', () => {
  it('aligns on the union of timestamps with null gaps', () => {
    expect(
      alignSeries([
        {
          points: [
            [10, 1],
            [20, 2],
          ],
        },
        {
          points: [
            [20, 5],
            [30, NaN],
          ],
        },
      ]),
    ).toEqual({
      xs: [10, 20, 30],
      ys: [
        [1, 2, null],
        [null, 5, null],
      ],
    });
  });
  it('stacks columns, gaps counting as zero for the series above', () => {
    expect(
      stackColumns([
        [1, null, 2],
        [3, 4, null],
      ]),
    ).toEqual([
      [1, null, 2],
      [4, 4, null],
    ]);
  });
});
