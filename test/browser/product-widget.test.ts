// Embedding across origins: the site (with the widget library build in widget/) is served on
// 127.0.0.1:A with CORS; demo-host.html is served from localhost:B, a different origin, and uses
// both the <trellis-generator> element (module loaded from A) and the iframe (A's embed.html,
// allow=B). Both return a fal-shaped trellis-result with a GLB the Khronos validator accepts.
// A third origin C embeds the same iframe and posts a request: it is ignored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { buildSite, buildWidget, launchChromium, serveStatic, type BrowserSession, type BuiltSite, type StaticServer } from '../helpers/browser.ts';
import { validateGlb } from '../helpers/product.ts';
import { makeTinyRandomModels } from '../../src/convert/fixtures/tiny-models.ts';

let site: BuiltSite;
let siteServer: StaticServer;
let hostServer: StaticServer;
let otherServer: StaticServer;
let browser: BrowserSession;
const GEN_TIMEOUT = 600_000;

interface HostRecord {
  type: string;
  source: 'element' | 'iframe';
  detail: any;
}
const records = (): Promise<HostRecord[]> =>
  browser.page.evaluate(() =>
    (globalThis as any).demoHost.records.map((r: HostRecord) => ({
      type: r.type,
      source: r.source,
      // Blobs do not cross page.evaluate; describe them instead.
      detail: JSON.parse(JSON.stringify(r.detail, (_k, v) => (v instanceof Blob ? { blob: v.size, type: v.type } : v))),
    })),
  );

async function waitForRecord(source: string, type: string | RegExp): Promise<HostRecord> {
  await browser.page.waitForFunction(
    ([s, t]) => (globalThis as any).demoHost?.records.some((r: HostRecord) => r.source === s && (t.startsWith('/') ? new RegExp(t.slice(1, -1)).test(r.type) : r.type === t)),
    [source, typeof type === 'string' ? type : String(type)] as const,
    { timeout: GEN_TIMEOUT },
  );
  return (await records()).find((r) => r.source === source && (typeof type === 'string' ? r.type === type : type.test(r.type)))!;
}

function expectFalResult(result: any, seed: number): void {
  expect(result.seed).toBe(seed);
  expect(result.model_mesh).toMatchObject({ content_type: 'model/gltf-binary', file_name: `trellis_${seed}.glb` });
  expect(result.model_mesh.file_size).toBeGreaterThan(1000);
  expect(result.model_mesh.url).toMatch(/^blob:/);
  for (const k of ['prepare', 'generation', 'export']) expect(result.timings[k]).toBeGreaterThan(0);
}

beforeAll(async () => {
  site = await buildSite();
  await buildWidget(path.join(site.dir, 'widget'), 'site');
  await makeTinyRandomModels(path.join(site.dir, 'models', 'tiny-random'));
  siteServer = await serveStatic(site.dir, { prefix: '/', cors: true });
  hostServer = await serveStatic(site.dir, { prefix: '/', host: 'localhost' });
  otherServer = await serveStatic(site.dir, { prefix: '/' });
  browser = await launchChromium();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([siteServer?.close(), hostServer?.close(), otherServer?.close()]);
  await site?.remove();
});

describe('embedding from another origin', () => {
  it('the host page sees the element module and the iframe come up', async () => {
    expect(new URL(hostServer.url).origin).not.toBe(new URL(siteServer.url).origin);
    const q = new URLSearchParams({ site: siteServer.url, device: 'wasm', ss_sampling_steps: '2', slat_sampling_steps: '2', texture_size: '512', seed: '3' });
    await browser.page.goto(`${hostServer.url}demo-host.html?${q}`);
    await waitForRecord('element', 'loaded');
    await waitForRecord('iframe', 'trellis:ready');
    expect(await browser.page.evaluate(() => customElements.get('trellis-generator') !== undefined)).toBe(true);
  });

  it('<trellis-generator>: generate() fires trellis-progress and a fal-shaped trellis-result with a valid GLB', async () => {
    const { page } = browser;
    await page.evaluate(() => void (document.querySelector('trellis-generator') as any).generate().catch(() => undefined));
    const result = await waitForRecord('element', /^trellis-(result|error)$/);
    expect(result.type, JSON.stringify(result.detail)).toBe('trellis-result');
    expectFalResult(result.detail, 3);
    const stages = (await records()).filter((r) => r.source === 'element' && r.type === 'trellis-progress').map((r) => r.detail.stage);
    expect(stages).toEqual(expect.arrayContaining(['download', 'sparse_structure', 'structured_latent', 'export']));
    const bytes = await page.evaluate(async () => {
      const blob: Blob = (document.querySelector('trellis-generator') as any).result.model_mesh.file_data;
      return Array.from(new Uint8Array(await blob.arrayBuffer()));
    });
    expect(bytes.length).toBe(result.detail.model_mesh.file_size);
    const report = await validateGlb(new Uint8Array(bytes));
    expect(report.messages).toEqual([]);
    expect(await page.evaluate(() => document.querySelector('trellis-generator')!.getAttribute('state'))).toBe('done');

    // Once the model is shown the placeholder is really gone (an author `display` rule used to
    // beat [hidden], leaving "The 3-D model appears here" drawn over the model).
    const part = (name: string) => `(document.querySelector('trellis-generator').shadowRoot.querySelector("[part='${name}']"))`;
    await page.waitForFunction(`${part('empty')}.hidden === true`, undefined, { timeout: 60_000 });
    expect(await page.evaluate(`getComputedStyle(${part('empty')}).display`)).toBe('none');
    // The input is shown as a thumbnail, and the demo models are called what they are.
    expect(await page.evaluate(`${part('input')}.hidden`)).toBe(false);
    expect(await page.evaluate(`${part('input')}.getAttribute('src')`)).toMatch(/samples\/sample-object\.png$/);
    expect(await page.evaluate(`${part('warning')}.hidden`)).toBe(false);
    expect(await page.evaluate(`${part('warning')}.textContent`)).toMatch(/^Demo models loaded/);
  }, GEN_TIMEOUT);

  it('iframe: the demo has one Generate button, the host page one; the button inside the frame is hidden', async () => {
    const frame = browser.page.frames().find((f) => f.url().includes('/embed.html'))!;
    expect(await frame.evaluate(() => getComputedStyle(document.querySelector('trellis-generator')!.shadowRoot!.querySelector("[part='generate']")!).display)).toBe('none');
    expect(await browser.page.isVisible('#iframe-generate')).toBe(true);
  });

  it('iframe: a trellis:generate message from the allowed host origin answers with trellis:result (GLB as a Blob)', async () => {
    const { page } = browser;
    await page.click('#iframe-generate');
    const answer = await waitForRecord('iframe', /^trellis:(result|error)$/);
    expect(answer.type, JSON.stringify(answer.detail)).toBe('trellis:result');
    expect(answer.detail.id).toBe(1);
    expectFalResult(answer.detail.result, 3);
    expect(answer.detail.result.model_mesh.file_data).toEqual({ blob: answer.detail.result.model_mesh.file_size, type: 'model/gltf-binary' });
    const bytes = await page.evaluate(async () => {
      const r = (globalThis as any).demoHost.records.find((x: HostRecord) => x.type === 'trellis:result');
      return Array.from(new Uint8Array(await (r.detail.result.model_mesh.file_data as Blob).arrayBuffer()));
    });
    const report = await validateGlb(new Uint8Array(bytes));
    expect(report.messages).toEqual([]);
    const progress = (await records()).filter((r) => r.source === 'iframe' && r.type === 'trellis:progress');
    expect(progress.length).toBeGreaterThan(3);
  }, GEN_TIMEOUT);

  it('iframe: a request from an origin that is not in the allow list is ignored', async () => {
    const page = await browser.context.newPage();
    try {
      await page.goto(`${otherServer.url}samples/sample-object.png`);
      const origin = new URL(otherServer.url).origin;
      expect(origin).not.toBe(new URL(hostServer.url).origin);
      const embed = new URL('embed.html', siteServer.url);
      embed.searchParams.set('allow', new URL(hostServer.url).origin);
      embed.searchParams.set('models', new URL('models/tiny-random/', siteServer.url).href);
      await page.evaluate(async (src) => {
        (globalThis as any).received = [];
        window.addEventListener('message', (e) => (globalThis as any).received.push(e.data));
        const frame = document.createElement('iframe');
        frame.src = src;
        document.body.append(frame);
        await new Promise((r) => frame.addEventListener('load', r, { once: true }));
        frame.contentWindow!.postMessage({ type: 'trellis:generate', id: 'evil', input: { image_url: 'https://example.invalid/x.png' } }, new URL(src).origin);
      }, embed.href);
      const frame = page.frames().find((f) => f.url().startsWith(embed.origin))!;
      await frame.waitForFunction(() => document.body.dataset.ignored === '1');
      expect(await frame.evaluate(() => document.querySelector('trellis-generator')!.hasAttribute('state'))).toBe(false);
      expect(await frame.textContent('#embed-log')).toContain(`ignored a message from ${origin} (not in the allow list)`);
      // Not even trellis:ready went to this page: the embed only ever posts to allowed origins.
      expect(await page.evaluate(() => (globalThis as any).received)).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
