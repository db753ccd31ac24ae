import { describe, expect, it } from 'vitest';
import { checkInput, checkMultiInput, checkTrellisInput, COMMON_FIELDS, validateInput, randomSeed, RANDOM_SEED_MAX } from '../../src/api/schema.ts';
import { ValidationError } from '../../src/api/validation-error.ts';
import type { ValidationIssue } from '../../src/api/types.ts';

const URL_OK = 'https://example.com/cat.png';

function issues(raw: unknown, multi = false): ValidationIssue[] {
  const r = multi ? checkMultiInput(raw) : checkTrellisInput(raw);
  if (r.ok) throw new Error(`expected rejection of ${JSON.stringify(raw)}`);
  return r.issues;
}

function only(raw: unknown, multi = false): ValidationIssue {
  const list = issues(raw, multi);
  expect(list, JSON.stringify(list)).toHaveLength(1);
  return list[0]!;
}

function accepted(raw: unknown, multi = false): Record<string, unknown> {
  const r = multi ? checkMultiInput(raw) : checkTrellisInput(raw);
  if (!r.ok) throw new Error(`expected acceptance, got ${JSON.stringify(r.issues)}`);
  return r.value as unknown as Record<string, unknown>;
}

describe('fal-ai/trellis defaults', () => {
  it('fills every documented default and leaves seed absent', () => {
    const v = accepted({ image_url: URL_OK });
    expect(v).toEqual({
      image_url: URL_OK,
      ss_guidance_strength: 7.5,
      ss_sampling_steps: 12,
      slat_guidance_strength: 3,
      slat_sampling_steps: 12,
      mesh_simplify: 0.95,
      texture_size: 1024,
    });
    expect('seed' in v).toBe(false);
  });

  it('keeps given values and a given seed', () => {
    const v = accepted({ image_url: URL_OK, seed: 42, ss_sampling_steps: 25, texture_size: 2048, mesh_simplify: 0.9 });
    expect(v.seed).toBe(42);
    expect(v.ss_sampling_steps).toBe(25);
    expect(v.texture_size).toBe(2048);
    expect(v.mesh_simplify).toBe(0.9);
  });

  it('treats JSON null seed as absent (fal: optional)', () => {
    expect('seed' in accepted({ image_url: URL_OK, seed: null })).toBe(false);
  });

  it('treats undefined properties as absent', () => {
    expect(accepted({ image_url: URL_OK, ss_sampling_steps: undefined, foo: undefined }).ss_sampling_steps).toBe(12);
  });
});

type Bound = { name: string; min: number; max: number; below: number; above: number; int: boolean };
const BOUNDS: Bound[] = [
  { name: 'ss_guidance_strength', min: 0, max: 10, below: -0.001, above: 10.001, int: false },
  { name: 'slat_guidance_strength', min: 0, max: 10, below: -1e-9, above: 10 + 1e-9, int: false },
  { name: 'ss_sampling_steps', min: 1, max: 50, below: 0, above: 51, int: true },
  { name: 'slat_sampling_steps', min: 1, max: 50, below: 0, above: 51, int: true },
  { name: 'mesh_simplify', min: 0.9, max: 0.98, below: 0.8999, above: 0.9801, int: false },
  { name: 'seed', min: 0, max: Number.MAX_SAFE_INTEGER, below: -1, above: Number.MAX_SAFE_INTEGER + 2, int: true },
];

describe.each(BOUNDS)('$name range', ({ name, min, max, below, above, int }) => {
  it('accepts both bounds (inclusive)', () => {
    expect(accepted({ image_url: URL_OK, [name]: min })[name]).toBe(min);
    expect(accepted({ image_url: URL_OK, [name]: max })[name]).toBe(max);
    expect(accepted({ image_urls: [URL_OK], [name]: max }, true)[name]).toBe(max);
  });

  it('rejects just below the minimum, naming the range', () => {
    const issue = only({ image_url: URL_OK, [name]: below });
    expect(issue.loc).toEqual(['body', name]);
    expect(issue.type).toBe('greater_than_equal');
    expect(issue.msg).toContain(`between ${min} and ${max}`);
    expect(issue.msg).toContain(String(below));
  });

  it('rejects just above the maximum, naming the range', () => {
    const issue = only({ image_url: URL_OK, [name]: above });
    expect(issue.loc).toEqual(['body', name]);
    expect(issue.type).toBe('less_than_equal');
    expect(issue.msg).toContain(`between ${min} and ${max}`);
  });

  it.each([
    ['a numeric string', '5'],
    ['a boolean', true],
    ['null', null],
    ['a list', [5]],
    ['an object', { value: 5 }],
  ])('rejects %s', (_label, value) => {
    if (name === 'seed' && value === null) return; // null seed means "absent"
    const issue = only({ image_url: URL_OK, [name]: value });
    expect(issue.loc).toEqual(['body', name]);
    expect(issue.type).toBe(int ? 'int_type' : 'float_type');
    expect(issue.msg).toContain(name);
  });

  it.each([NaN, Infinity, -Infinity])('rejects %s', (value) => {
    const issue = only({ image_url: URL_OK, [name]: value });
    expect(issue.type).toBe('finite_number');
    expect(issue.msg).toContain(String(value));
  });

  if (int) {
    it('rejects a non-integer', () => {
      const issue = only({ image_url: URL_OK, [name]: min + 0.5 });
      expect(issue.type).toBe('int_from_float');
      expect(issue.msg).toMatch(/whole number/);
    });
  } else {
    it('accepts a fractional value inside the range', () => {
      const mid = (min + max) / 2;
      expect(accepted({ image_url: URL_OK, [name]: mid })[name]).toBe(mid);
    });
  }
});

describe('texture_size', () => {
  it.each([
    [512, 512],
    [1024, 1024],
    [2048, 2048],
    ['512', 512],
    ['1024', 1024],
    ['2048', 2048],
  ])('accepts %j as %d', (value, expected) => {
    expect(accepted({ image_url: URL_OK, texture_size: value }).texture_size).toBe(expected);
  });

  it.each([300, 1023, '300', '1024.0', ' 1024', '', 1024.5, null, true, NaN])('rejects %j and lists allowed values', (value) => {
    const issue = only({ image_url: URL_OK, texture_size: value });
    expect(issue.loc).toEqual(['body', 'texture_size']);
    expect(issue.type).toBe('enum');
    expect(issue.msg).toContain('512, 1024, 2048');
  });
});

describe('image_url', () => {
  it.each([
    'http://example.com/a.png',
    'https://example.com/a.jpg?x=1',
    'data:image/png;base64,iVBORw0KGgo=',
    'blob:https://example.com/0f5c6a2e-1111-2222-3333-444455556666',
  ])('accepts %s', (url) => {
    expect(accepted({ image_url: url }).image_url).toBe(url);
  });

  it('accepts a Blob (and File) object directly', () => {
    const blob = new Blob([new Uint8Array([1, 2, 3])], { type: 'image/png' });
    expect(accepted({ image_url: blob }).image_url).toBe(blob);
    const file = new File([new Uint8Array([1])], 'a.png', { type: 'image/png' });
    expect(accepted({ image_url: file }).image_url).toBe(file);
  });

  it.each(['x', 'example.com/a.png', '/images/a.png', ''])('rejects the non-URL %j', (url) => {
    const issue = only({ image_url: url });
    expect(issue.loc).toEqual(['body', 'image_url']);
    expect(issue.type).toBe('url_parsing');
    expect(issue.msg).toMatch(/http\(s\).*data:.*blob:/);
  });

  it.each(['ftp://example.com/a.png', 'file:///tmp/a.png', 'javascript:alert(1)'])('rejects the scheme of %s', (url) => {
    const issue = only({ image_url: url });
    expect(issue.type).toBe('url_scheme');
    expect(issue.msg).toContain(new URL(url).protocol);
    expect(issue.msg).toContain('allowed: http:, https:, data:, blob:');
  });

  it.each([[42], [null], [{ url: URL_OK }], [[URL_OK]]])('rejects the non-string %j', (value) => {
    const issue = only({ image_url: value });
    expect(issue.type).toBe('url_type');
  });

  it('is required', () => {
    const issue = only({});
    expect(issue).toMatchObject({ loc: ['body', 'image_url'], type: 'missing' });
  });
});

describe('unknown fields and top-level shape', () => {
  it('names the unknown field and the allowed ones', () => {
    const issue = only({ image_url: URL_OK, guidance: 3 });
    expect(issue.loc).toEqual(['body', 'guidance']);
    expect(issue.type).toBe('extra_forbidden');
    for (const f of COMMON_FIELDS) expect(issue.msg).toContain(f.name);
    expect(issue.msg).toContain('image_url');
  });

  it('points image_urls on the single endpoint to the multi endpoint', () => {
    const list = issues({ image_urls: [URL_OK] });
    expect(list.map((i) => i.loc[1]).sort()).toEqual(['image_url', 'image_urls']);
    expect(list.find((i) => i.loc[1] === 'image_urls')!.msg).toContain('fal-ai/trellis/multi');
  });

  it.each([[null], [[]], ['{}'], [3]])('rejects the non-object body %j', (raw) => {
    const issue = only(raw);
    expect(issue).toMatchObject({ loc: ['body'], type: 'model_type' });
  });

  it('reports all problems at once', () => {
    const list = issues({ image_url: 'x', ss_sampling_steps: 0, texture_size: 300, seed: -5, mesh_simplify: 'high', extra: 1 });
    expect(list.map((i) => i.loc[1]).sort()).toEqual(['extra', 'image_url', 'mesh_simplify', 'seed', 'ss_sampling_steps', 'texture_size']);
  });
});

describe('fal-ai/trellis/multi', () => {
  it('fills defaults including multiimage_algo', () => {
    expect(accepted({ image_urls: [URL_OK, URL_OK] }, true)).toEqual({
      image_urls: [URL_OK, URL_OK],
      ss_guidance_strength: 7.5,
      ss_sampling_steps: 12,
      slat_guidance_strength: 3,
      slat_sampling_steps: 12,
      mesh_simplify: 0.95,
      texture_size: 1024,
      multiimage_algo: 'stochastic',
    });
  });

  it.each(['stochastic', 'multidiffusion'])('accepts multiimage_algo %s', (algo) => {
    expect(accepted({ image_urls: [URL_OK], multiimage_algo: algo }, true).multiimage_algo).toBe(algo);
  });

  it.each(['Stochastic', 'mean', '', 1, null])('rejects multiimage_algo %j listing the allowed values', (algo) => {
    const issue = only({ image_urls: [URL_OK], multiimage_algo: algo }, true);
    expect(issue).toMatchObject({ loc: ['body', 'multiimage_algo'], type: 'enum' });
    expect(issue.msg).toContain('"stochastic", "multidiffusion"');
  });

  it('rejects an empty list', () => {
    expect(only({ image_urls: [] }, true)).toMatchObject({ loc: ['body', 'image_urls'], type: 'too_short' });
  });

  it('rejects a non-list', () => {
    expect(only({ image_urls: URL_OK }, true)).toMatchObject({ loc: ['body', 'image_urls'], type: 'list_type' });
  });

  it('locates each bad item by index', () => {
    const list = issues({ image_urls: [URL_OK, 'nope', 7] }, true);
    expect(list.map((i) => i.loc)).toEqual([
      ['body', 'image_urls', 1],
      ['body', 'image_urls', 2],
    ]);
    expect(list[0]!.msg).toContain('image_urls[1]');
  });

  it('is required, and image_url is not accepted there', () => {
    const list = issues({ image_url: URL_OK }, true);
    expect(list.map((i) => [i.loc[1], i.type])).toEqual([
      ['image_url', 'extra_forbidden'],
      ['image_urls', 'missing'],
    ]);
  });

  it('rejects multiimage_algo on the single endpoint', () => {
    const issue = only({ image_url: URL_OK, multiimage_algo: 'stochastic' });
    expect(issue.msg).toContain('fal-ai/trellis/multi');
  });

  it('applies the shared ranges', () => {
    const list = issues({ image_urls: [URL_OK], slat_sampling_steps: 51, ss_guidance_strength: -1 }, true);
    expect(list.map((i) => i.loc[1]).sort()).toEqual(['slat_sampling_steps', 'ss_guidance_strength']);
  });
});

describe('validateInput', () => {
  it('throws ValidationError with fal 422 detail', () => {
    let caught: unknown;
    try {
      validateInput('fal-ai/trellis', { image_url: URL_OK, ss_sampling_steps: 0 });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    const e = caught as ValidationError;
    expect(e.status).toBe(422);
    expect(e.detail).toHaveLength(1);
    expect(JSON.parse(JSON.stringify(e))).toEqual({ detail: e.detail });
    expect(e.message).toContain('ss_sampling_steps');
  });

  it('rejects unknown endpoints naming the served ones', () => {
    expect(() => checkInput('fal-ai/trellis/v2' as never, { image_url: URL_OK })).toThrow(/"fal-ai\/trellis" and "fal-ai\/trellis\/multi"/);
  });
});

describe('randomSeed', () => {
  it('draws integers in [0, 2^31-1] that vary', () => {
    const seeds = Array.from({ length: 200 }, randomSeed);
    for (const s of seeds) {
      expect(Number.isInteger(s)).toBe(true);
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThanOrEqual(RANDOM_SEED_MAX);
    }
    expect(new Set(seeds).size).toBeGreaterThan(190);
  });
});
