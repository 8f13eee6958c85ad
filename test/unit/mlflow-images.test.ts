import { describe, expect, it } from 'vitest';
import { imageSeriesOf } from '../../web/src/mlflow-images.ts';

describe("MLflow's images logged by key and step", () => {
  it('are grouped by key (its # read as /) and ordered by step, each with its compressed thumbnail', () => {
    const names = [
      'loss#val%step%10%timestamp%1700000000010%gaaa-1.png',
      'loss#val%step%10%timestamp%1700000000010%gaaa-1%compressed.webp',
      'loss#val%step%2%timestamp%1700000000002%hbbb-2.png',
      'confusion+step+0+timestamp+1700000000000+iccc-3.png',
      'confusion+step+0+timestamp+1700000000000+iccc-3+compressed.webp',
      'notes.txt',
      'plain.png',
    ];
    expect(imageSeriesOf(names)).toEqual([
      {
        key: 'confusion',
        images: [{ step: 0, timestamp: 1700000000000, file: 'confusion+step+0+timestamp+1700000000000+iccc-3.png', thumbnail: 'confusion+step+0+timestamp+1700000000000+iccc-3+compressed.webp' }],
      },
      {
        key: 'loss/val',
        images: [
          { step: 2, timestamp: 1700000000002, file: 'loss#val%step%2%timestamp%1700000000002%hbbb-2.png' },
          { step: 10, timestamp: 1700000000010, file: 'loss#val%step%10%timestamp%1700000000010%gaaa-1.png', thumbnail: 'loss#val%step%10%timestamp%1700000000010%gaaa-1%compressed.webp' },
        ],
      },
    ]);
  });

  it('finds none among ordinary images, or where the delimiters are mixed', () => {
    expect(imageSeriesOf(['a.png', 'step_1.png', 'k%step+1%timestamp%2%gx.png'])).toEqual([]);
  });
});
