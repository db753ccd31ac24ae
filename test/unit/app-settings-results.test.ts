// What the site keeps across reloads: the settings round trip through the URL and localStorage
// (URL wins), and which stored results the size/count caps evict.
import { describe, expect, it } from 'vitest';
import { mergeSettings, readStoredSettings, settingsFromQuery, settingsToQuery, SETTINGS_KEY, writeStoredSettings } from '../../src/app/settings.ts';
import { planEviction } from '../../src/app/result-store.ts';

const NAMES = ['seed', 'ss_sampling_steps', 'texture_size'];

describe('settings', () => {
  it('a ./models/<id>/ folder travels as ?model=<id>, others as ?models=; device auto is left out', () => {
    const q = settingsToQuery({ models: './models/tiny-random/', device: 'wasm', params: { seed: '5' } }, '?allow=x&seed=9', NAMES);
    expect(q).toBe('?allow=x&model=tiny-random&device=wasm&seed=5');
    expect(settingsFromQuery(q, NAMES)).toEqual({ models: './models/tiny-random/', device: 'wasm', params: { seed: '5' } });
    const other = settingsToQuery({ models: 'https://cdn.example/m/', device: 'auto', params: {} }, '', NAMES);
    expect(other).toBe('?models=https%3A%2F%2Fcdn.example%2Fm%2F');
    expect(settingsFromQuery(other, NAMES)).toEqual({ models: 'https://cdn.example/m/', params: {} });
  });

  it('ignores an unknown device and empty parameters in the URL', () => {
    expect(settingsFromQuery('?device=cuda&seed=&texture_size=512', NAMES)).toEqual({ params: { texture_size: '512' } });
  });

  it('URL values win over stored ones; stored parameters apply when the URL has none', () => {
    const stored = { models: './models/a/', device: 'wasm' as const, params: { seed: '1' } };
    expect(mergeSettings(stored, { params: {} })).toEqual(stored);
    expect(mergeSettings(stored, { models: './models/b/', params: { ss_sampling_steps: '3' } })).toEqual({ models: './models/b/', device: 'wasm', params: { ss_sampling_steps: '3' } });
    expect(mergeSettings(null, { params: {} })).toEqual({ params: {} });
  });

  it('stores and reads back; damaged or missing storage reads as nothing', () => {
    const map = new Map<string, string>();
    const storage = { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v) };
    expect(writeStoredSettings(storage, { models: './models/a/', device: 'webgpu', params: { seed: '4' } })).toBe(true);
    expect(readStoredSettings(storage)).toEqual({ models: './models/a/', device: 'webgpu', params: { seed: '4' } });
    map.set(SETTINGS_KEY, '{not json');
    expect(readStoredSettings(storage)).toBeNull();
    map.set(SETTINGS_KEY, JSON.stringify({ device: 'cuda', params: { seed: 4 } }));
    expect(readStoredSettings(storage)).toEqual({ params: {} });
    expect(readStoredSettings(undefined)).toBeNull();
    const full = { setItem: () => { throw new DOMException('quota', 'QuotaExceededError'); } };
    expect(writeStoredSettings(full, { params: {} })).toBe(false);
  });
});

describe('stored results cap', () => {
  const entries = [
    { id: 1, createdAt: 100, bytes: 40 },
    { id: 2, createdAt: 200, bytes: 40 },
    { id: 3, createdAt: 300, bytes: 40 },
  ];

  it('drops nothing while the new result fits', () => {
    expect(planEviction(entries, 30, 150, 10)).toEqual([]);
  });

  it('drops the oldest first until the bytes fit', () => {
    expect(planEviction(entries, 50, 150, 10)).toEqual([1]);
    expect(planEviction(entries, 100, 150, 10)).toEqual([1, 2]);
  });

  it('drops the oldest when the count cap is reached', () => {
    expect(planEviction(entries, 1, 1000, 3)).toEqual([1]);
  });

  it('a result larger than the cap is kept alone rather than refused', () => {
    expect(planEviction(entries, 500, 150, 10)).toEqual([1, 2, 3]);
  });
});
