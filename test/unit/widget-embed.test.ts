// The iframe embed's message rules and the element's attribute parsing (DOM-free parts).
import { describe, expect, it } from 'vitest';
import { acceptsOrigin, parseAllowedOrigins, parseEmbedRequest } from '../../src/widget/embed-protocol.ts';
import { imageUrlsFromAttribute, PARAM_ATTRIBUTES, paramsFromAttributes } from '../../src/widget/attributes.ts';

describe('allow list', () => {
  it('keeps bare http(s) origins and names everything else', () => {
    const r = parseAllowedOrigins('https://host.example, http://localhost:5173  https://a.test/ * https://b.test/path javascript:alert(1) nope');
    expect(r.origins).toEqual(['https://host.example', 'http://localhost:5173', 'https://a.test']);
    expect(r.problems).toEqual([
      '"*" is not accepted: list each host origin explicitly',
      '"https://b.test/path" is not a bare http(s) origin (scheme://host[:port], no path)',
      '"javascript:alert(1)" is not a bare http(s) origin (scheme://host[:port], no path)',
      '"nope" is not an origin (expected e.g. https://host.example)',
    ]);
  });
  it('no allow parameter allows nobody', () => {
    expect(parseAllowedOrigins(null)).toEqual({ origins: [], problems: [] });
  });
  it('matches origins exactly', () => {
    const allowed = ['https://host.example'];
    expect(acceptsOrigin('https://host.example', allowed)).toBe(true);
    expect(acceptsOrigin('https://host.example.evil.test', allowed)).toBe(false);
    expect(acceptsOrigin('http://host.example', allowed)).toBe(false);
    expect(acceptsOrigin('null', allowed)).toBe(false);
  });
});

describe('embed requests', () => {
  it('accepts the two request shapes', () => {
    expect(parseEmbedRequest({ type: 'trellis:generate', id: 1, input: { image_url: 'https://x/y.png' } })).toEqual({
      ok: true,
      request: { type: 'trellis:generate', id: 1, input: { image_url: 'https://x/y.png' } },
    });
    expect(parseEmbedRequest({ type: 'trellis:cancel' })).toEqual({ ok: true, request: { type: 'trellis:cancel' } });
  });
  it('names what is wrong with anything else', () => {
    expect(parseEmbedRequest('{"type":"trellis:generate"}')).toEqual({ ok: false, reason: 'message is not a plain object' });
    expect(parseEmbedRequest([1])).toEqual({ ok: false, reason: 'message is not a plain object' });
    expect(parseEmbedRequest({ type: 'trellis:generate', input: {} })).toEqual({ ok: false, reason: 'trellis:generate needs an id (string or number) to match the answer to' });
    expect(parseEmbedRequest({ type: 'trellis:generate', id: 'a', input: 'x' })).toEqual({ ok: false, reason: 'trellis:generate needs an input object (a fal request)' });
    expect(parseEmbedRequest({ type: 'eval', id: 1 })).toEqual({ ok: false, reason: 'unknown message type "eval"' });
    expect(parseEmbedRequest({ type: 'trellis:cancel', id: {} })).toEqual({ ok: false, reason: 'trellis:cancel id must be a string or number' });
  });
  it('refuses objects that are not plain data (class instances)', () => {
    class Sneaky {
      type = 'trellis:generate';
      id = 1;
      input = {};
    }
    expect(parseEmbedRequest(new Sneaky())).toEqual({ ok: false, reason: 'message is not a plain object' });
  });
});

describe('element attributes', () => {
  const el = (attrs: Record<string, string>) => ({
    getAttribute: (n: string) => attrs[n] ?? null,
    hasAttribute: (n: string) => n in attrs,
  });
  it('mirror fal parameter names, in snake or kebab case', () => {
    expect(PARAM_ATTRIBUTES).toContain('ss_sampling_steps');
    expect(PARAM_ATTRIBUTES).toContain('ss-sampling-steps');
    expect(paramsFromAttributes(el({ ss_sampling_steps: '3', 'slat-guidance-strength': '2.5', texture_size: '512', multiimage_algo: 'multidiffusion', seed: '' }))).toEqual({
      ss_sampling_steps: 3,
      slat_guidance_strength: 2.5,
      texture_size: 512,
      multiimage_algo: 'multidiffusion',
    });
  });
  it('passes text on unchanged so the schema can name it', () => {
    expect(paramsFromAttributes(el({ mesh_simplify: 'lots' }))).toEqual({ mesh_simplify: 'lots' });
  });
  it('image-urls splits on whitespace', () => {
    expect(imageUrlsFromAttribute(' https://a/1.png\n https://a/2.png ')).toEqual(['https://a/1.png', 'https://a/2.png']);
    expect(imageUrlsFromAttribute(null)).toEqual([]);
  });
});
