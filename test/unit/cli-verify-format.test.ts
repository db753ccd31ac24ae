// `trellis-web verify` rows say what each one checks: a tolerance, an exact match, or a value
// shown for comparison only.
import { describe, expect, it } from 'vitest';
import { formatRows } from '../../src/cli/verify.ts';

describe('verify report rows', () => {
  const lines = formatRows([
    { case: 'ss_flow', tensor: 'out', maxAbs: 2e-6, rmsRef: 0.5, tol: 1e-4, pass: true },
    { case: 'pipeline_a', tensor: 'coords: values differing, of 96', maxAbs: 0, rmsRef: 24, tol: 0, pass: true, check: 'exact' },
    { case: 'pipeline_a', tensor: 'coords: values differing, of 96', maxAbs: 3, rmsRef: 24, tol: 0, pass: false, check: 'exact' },
    { case: 'mesh', tensor: 'feats→mesh (marching cubes) area', maxAbs: 0.1, rmsRef: 3, tol: Infinity, pass: true, check: 'info' },
  ]).split('\n');

  it('a tolerance row shows the number and PASS', () => {
    expect(lines[1]).toMatch(/out\s+2\.00e-6\s+5\.00e-1\s+1\.00e-4\s+PASS$/);
  });

  it('an exact row says "must be 0" instead of a tolerance and no rms', () => {
    expect(lines[2]).toMatch(/of 96\s+0\s+must be 0\s+PASS$/);
    expect(lines[3]).toMatch(/of 96\s+3\.00e\+0\s+must be 0\s+FAIL$/);
  });

  it('an informational row says "not checked" and INFO, never Infinity', () => {
    expect(lines[4]).toMatch(/area\s+1\.00e-1\s+3\.00e\+0\s+not checked\s+INFO$/);
    expect(lines.join('\n')).not.toContain('Infinity');
  });
});
