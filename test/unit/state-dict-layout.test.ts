import { readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCheckpoint } from '../../src/convert/checkpoint.ts';
import { parameterCount, stateDictLayout } from '../../src/convert/state-dict-layout.ts';
import { REAL_CONFIGS } from '../../src/convert/fixtures/real-configs.ts';
import { goldenRoot } from '../helpers/golden.ts';

const cases = readdirSync(goldenRoot).filter((d) => existsSync(path.join(goldenRoot, d, 'model.safetensors')));

describe('state-dict layouts match the reference checkpoints', () => {
  it('finds golden checkpoints', () => expect(cases.length).toBeGreaterThanOrEqual(5));
  for (const c of cases) {
    it(c, () => {
      const ck = openCheckpoint(path.join(goldenRoot, c, 'config.json'), path.join(goldenRoot, c, 'model.safetensors'));
      try {
        const layout = stateDictLayout(ck.config.name, ck.config.args);
        const actual = Object.fromEntries(ck.source.keys().map((k) => [k, ck.source.shape(k)]));
        expect(Object.fromEntries(layout)).toEqual(actual);
      } finally {
        ck.close();
      }
    });
  }
  it('gives the released parameter counts for TRELLIS-image-large (networks.md §9)', () => {
    const count = (k: keyof typeof REAL_CONFIGS) => parameterCount(stateDictLayout(REAL_CONFIGS[k].name, REAL_CONFIGS[k].args));
    expect(count('ss_flow')).toBe(555_543_560 + 4_194_304);
    expect(count('ss_decoder')).toBe(73_671_201);
    expect(count('slat_flow')).toBe(600_432_520);
    expect(count('slat_decoder_mesh')).toBe(90_926_693);
    expect(count('slat_decoder_gs')).toBe(85_369_024 + 96);
    expect(count('dinov2')).toBe(304_372_736);
  });
});
