import { describe, expect, it } from 'vitest';
import { dinov2InputTensor } from '../../src/engine/preprocess/dinov2-input.ts';

// Reference values from numpy float32: (img.astype(float32)/255 - mean32) / std32, which is what
// torch's ToTensor-free path + Normalize (sub_ then div_ by [3,1,1] float32 tensors) computes.
// They are chosen where a float64 computation rounded once at the end gives a different float32.
const NUMPY_REF: [channel: number, value: number, expected: number][] = [
  [0, 6, -2.015155553817749],
  [0, 8, -1.9809060096740723],
  [1, 96, -0.3550419807434082],
  [1, 97, -0.33753496408462524],
  [2, 250, 2.552854299545288],
  [2, 254, 2.6225709915161133],
];

function plainImage(size: number, rgbAt: (p: number) => [number, number, number]) {
  const data = new Uint8Array(size * size * 3);
  for (let p = 0; p < size * size; p++) data.set(rgbAt(p), p * 3);
  return { width: size, height: size, data };
}

describe('dinov2InputTensor', () => {
  it('matches numpy float32 op by op', () => {
    const size = 4;
    for (const [c, v, expected] of NUMPY_REF) {
      const rgb: [number, number, number] = [0, 0, 0];
      rgb[c] = v;
      const { data } = dinov2InputTensor([plainImage(size, () => rgb)], size);
      expect(data[c * size * size + 5]).toBe(expected);
    }
  });

  it('lays out [K, 3, H, W] channel-first and keeps image order', () => {
    const size = 518;
    const a = plainImage(size, (p) => [p % 256, 0, 255]);
    const b = plainImage(size, () => [0, 0, 0]);
    const { data, dims } = dinov2InputTensor([a, b]);
    expect(dims).toEqual([2, 3, 518, 518]);
    expect(data.length).toBe(2 * 3 * 518 * 518);
    const plane = 518 * 518;
    // image 0, R plane, pixel 1 has R = 1; pixel 0 has R = 0
    expect(data[1]).toBeGreaterThan(data[0]);
    // image 0, B plane is constant (255); image 1's planes are each constant (0)
    expect(data[2 * plane + 7]).toBe(data[2 * plane + 99]);
    expect(data[3 * plane]).toBe(Math.fround(Math.fround(0 - Math.fround(0.485)) / Math.fround(0.229)));
    expect(data[3 * plane + 1]).toBe(data[3 * plane]);
  });

  it('rejects a wrong size', () => {
    expect(() => dinov2InputTensor([plainImage(10, () => [0, 0, 0])])).toThrow(/expected 518x518/);
    expect(() => dinov2InputTensor([])).toThrow(/at least one/);
  });
});
