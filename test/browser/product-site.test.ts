// The site end to end in headless Chromium with the tiny random-weight models (device=wasm: on
// SwiftShader's emulated WebGPU the same run takes minutes; the engine's own browser test covers
// the WebGPU path). In order, on one page:
//  (d) bad inputs each get their specific message and leave the app usable;
//  (a) an RGBA PNG upload generates a GLB that passes the Khronos validator, and the viewer's
//      canvas shows something (pixel variance);
//      the storage panel lists the stored models; a damaged stored file is found and fetched again;
//  (b) offline: the server goes away and the browser is offline; a reload still serves the app
//      (service worker), and a new generation runs from the stored models.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { buildSite, launchChromium, serveStatic, type BrowserSession, type BuiltSite, type StaticServer } from '../helpers/browser.ts';
import { pixelStats, rgbaObjectPng, transparentPng, validateGlb } from '../helpers/product.ts';
import { makeTinyRandomModels } from '../../src/convert/fixtures/tiny-models.ts';

let site: BuiltSite;
let server: StaticServer;
let browser: BrowserSession;
const GEN_TIMEOUT = 600_000;

const png = (name: string, buffer: Buffer) => ({ name, mimeType: 'image/png', buffer });

async function setParams(values: Record<string, string>): Promise<void> {
  for (const [k, v] of Object.entries(values)) {
    if (k === 'texture_size') await browser.page.selectOption(`#param-${k}`, v);
    else await browser.page.fill(`#param-${k}`, v);
  }
}

async function clearImages(): Promise<void> {
  await browser.page.evaluate(() => (globalThis as any).trellisApp.images.clear());
  await browser.page.fill('#image_url', '');
}

/** Clicks Generate and waits for the run to end; returns the progress line and error code. */
async function generate(): Promise<{ progress: string; code: string | null }> {
  const { page } = browser;
  await page.click('#generate');
  await page.waitForFunction(() => !document.body.dataset.busy && /^(Done|Failed|Cancelled)\./.test(document.getElementById('progress')?.textContent ?? ''), undefined, { timeout: GEN_TIMEOUT });
  return { progress: (await page.textContent('#progress')) ?? '', code: await page.locator('#error').getAttribute('data-code') };
}

const SMALL = { ss_sampling_steps: '2', slat_sampling_steps: '2', texture_size: '512', ss_guidance_strength: '7.5' };

beforeAll(async () => {
  site = await buildSite();
  // A fresh clone has no models: make the tiny random set exactly as `npm run fixtures` does.
  await makeTinyRandomModels(path.join(site.dir, 'models', 'tiny-random'));
  server = await serveStatic(site.dir, { prefix: '/sub/app/' });
  browser = await launchChromium();
  const { page } = browser;
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${server.url}?model=tiny-random&device=wasm`);
  // Let the service worker take control, then start over so every request (worker, wasm) goes through it.
  try {
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 120_000 });
  } catch (error) {
    const state = await page.evaluate(async () => ({
      offline: document.getElementById('offline-state')?.textContent,
      registrations: (await navigator.serviceWorker.getRegistrations()).map((r) => [r.scope, r.active?.state, r.installing?.state, r.waiting?.state]),
    }));
    throw new Error(`the service worker did not take control: ${JSON.stringify(state)}; errors: ${browser.errors.join(' | ')}`, { cause: error });
  }
  await page.reload();
  await page.waitForFunction(() => /model:/.test(document.getElementById('status')?.textContent ?? ''), undefined, { timeout: 60_000 });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await site?.remove();
});

describe('site with the tiny demo models', () => {
  it('says honestly that the demo models make noise', async () => {
    const { page } = browser;
    expect(await page.textContent('#status')).toContain('model: Tiny random demo models');
    expect(await page.isVisible('#demo-warning')).toBe(true);
    expect(await page.textContent('#demo-warning')).toMatch(/noise, not objects.*will not look like your picture/);
  });

  it('(d) text in a number field: the schema message, inline', async () => {
    const { page } = browser;
    await page.setInputFiles('#images', png('object.png', rgbaObjectPng()));
    await page.waitForSelector('#image-list li');
    await setParams({ ...SMALL, ss_guidance_strength: 'abc' });
    await page.click('#generate');
    await expect.poll(() => page.textContent('[data-error-for="ss_guidance_strength"]')).toBe('ss_guidance_strength must be a number between 0 and 10 inclusive, got string "abc"');
    expect(await page.getAttribute('#param-ss_guidance_strength', 'aria-invalid')).toBe('true');
    expect(await page.locator('#error').getAttribute('data-code')).toBe('VALIDATION');
    expect(await page.textContent('#progress')).toBe('');
  });

  it('(d) 0 steps: the range message', async () => {
    const { page } = browser;
    await setParams({ ...SMALL, ss_sampling_steps: '0' });
    await page.click('#generate');
    await expect.poll(() => page.textContent('[data-error-for="ss_sampling_steps"]')).toBe('ss_sampling_steps must be between 1 and 50 inclusive, got 0');
    expect(await page.textContent('[data-error-for="ss_guidance_strength"]')).toBe('');
    await setParams(SMALL);
  });

  it('(d) a non-image file is refused by name when it is added', async () => {
    const { page } = browser;
    await page.setInputFiles('#images', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a picture') });
    await expect.poll(() => page.textContent('[data-error-for="images"]')).toBe('"notes.txt" is a text/plain file, not an image: use PNG, JPEG or WebP (a transparent background works best)');
    expect(await page.locator('#image-list li').count()).toBe(1);
    // A file that claims to be a PNG but is not one is caught by decoding it.
    await page.setInputFiles('#images', { name: 'fake.png', mimeType: 'image/png', buffer: Buffer.from('still not a picture') });
    await expect.poll(() => page.textContent('[data-error-for="images"]')).toContain('"fake.png" could not be decoded as an image');
    expect(await page.locator('#image-list li').count()).toBe(1);
  });

  it('(d) a URL that answers 404: BAD_IMAGE naming the status', async () => {
    await clearImages();
    await browser.page.fill('#image_url', `${server.url}no-such-image.png`);
    const run = await generate();
    expect(run).toEqual({ progress: 'Failed.', code: 'BAD_IMAGE' });
    expect(await browser.page.textContent('#error h2')).toBe('The image could not be read (BAD_IMAGE)');
    expect(await browser.page.textContent('#error pre')).toMatch(new RegExp(`^image 1: fetching ${server.url}no-such-image\\.png gave HTTP 404\\b`));
  }, GEN_TIMEOUT);

  it('(d) an all-transparent PNG: NO_FOREGROUND', async () => {
    await clearImages();
    await browser.page.setInputFiles('#images', png('empty.png', transparentPng()));
    const run = await generate();
    expect(run).toEqual({ progress: 'Failed.', code: 'NO_FOREGROUND' });
    expect(await browser.page.textContent('#error pre')).toContain('no foreground found: no pixel of the 48x48 image has alpha above 204');
  }, GEN_TIMEOUT);

  it('(a) then an RGBA PNG generates a valid GLB, shown in the viewer and kept in the history', async () => {
    const { page } = browser;
    await clearImages();
    await page.setInputFiles('#images', png('object.png', rgbaObjectPng()));
    await setParams({ ...SMALL, seed: '7' });
    const run = await generate();
    expect(run).toEqual({ progress: 'Done.', code: null });
    expect(await page.textContent('#result')).toMatch(/^seed 7 · .* total \(prepare .*, generation .*, export .*\) · /);
    // Stored in IndexedDB after the result is shown, so it appears a moment later.
    await expect.poll(() => page.evaluate(() => (globalThis as any).trellisApp.history), { timeout: 30_000 }).toEqual([{ seed: 7, file: 'trellis_7.glb', size: expect.any(Number) }]);
    const states = await page.locator('#stage-track li').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.state ?? ''));
    expect(states.every((s) => s === 'done' || s === 'skipped')).toBe(true);
    expect(states.filter((s) => s === 'done').length).toBeGreaterThanOrEqual(8);

    // Download GLB -> the Khronos validator, in Node, on the downloaded bytes.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
    expect(download.suggestedFilename()).toBe('trellis_7.glb');
    const bytes = new Uint8Array(await readFile((await download.path())!));
    const size = (await page.evaluate(() => (globalThis as any).trellisApp.history[0].size)) as number;
    expect(bytes.byteLength).toBe(size);
    const report = await validateGlb(bytes);
    expect(report.messages).toEqual([]);
    expect(report.errors).toBe(0);

    // The viewer draws the model: the canvas is far from one flat colour.
    await page.waitForFunction(() => document.getElementById('viewer')?.dataset.model === 'trellis_7.glb');
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const shot = await page.locator('#viewer').screenshot();
    const stats = pixelStats(shot);
    console.log('viewer canvas pixels:', JSON.stringify(stats));
    expect(stats.std).toBeGreaterThan(4);
    expect(stats.offBackground).toBeGreaterThan(0.01);
    await page.screenshot({ path: path.join(site.dir, '..', 'trellis-product-desktop.png'), fullPage: true });
  }, GEN_TIMEOUT);

  it('lists the stored models, finds a damaged stored file, and fetches it again', async () => {
    const { page } = browser;
    await page.click('#storage summary');
    await expect.poll(() => page.locator('#storage-list li').count()).toBe(1);
    // Every file of the manifest is stored: same count, same total as the status line reports.
    const total = /model: Tiny random demo models \(fp32, ([\d.]+ MiB)\)/.exec((await page.textContent('#status')) ?? '')?.[1];
    expect(total).toBeDefined();
    expect(await page.textContent('#storage-list li')).toBe(`/sub/app/models/tiny-random/ 16 files · ${total}Delete`);
    // Damage one stored file (a truncated body under its key, as a partial write would leave).
    const damaged = await page.evaluate(async () => {
      const cache = await caches.open('trellis-web-models-v1');
      const key = (await cache.keys()).find((r) => r.url.includes('/ss_flow.onnx.data?'))!;
      const bytes = new Uint8Array(await (await cache.match(key))!.arrayBuffer());
      await cache.put(key, new Response(bytes.slice(0, 1000), { headers: { 'content-length': String(bytes.length) } }));
      return key.url;
    });
    expect(damaged).toContain('ss_flow.onnx.data?sha256=');
    await page.click('#storage-verify');
    await expect.poll(() => page.textContent('#storage-message'), { timeout: 60_000 }).toBe('15 files intact, 1 damaged and deleted (fetched again on next use): ss_flow.onnx.data.');
    const before = server.requests.filter((r) => r.path.endsWith('/ss_flow.onnx.data')).length;
    await page.click('#storage-download');
    // The progress line moves on after the load (session notes), so keep the text that ended the wait.
    const ended = await page.waitForFunction(() => {
      const t = document.getElementById('progress')?.textContent ?? '';
      return /^(Models ready|Failed)/.test(t) ? t : null;
    }, undefined, { timeout: 120_000 });
    expect(await ended.jsonValue()).toBe(`Models ready: Tiny random demo models (${total}, wasm).`);
    expect(server.requests.filter((r) => r.path.endsWith('/ss_flow.onnx.data')).length).toBe(before + 1);
    await page.click('#storage-verify');
    await expect.poll(() => page.textContent('#storage-message'), { timeout: 60_000 }).toBe('16 files intact.');
  }, 300_000);

  it('(b) works offline: reload without a network, generate again from the stored models', async () => {
    const { page, context } = browser;
    expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    server.setDown(true);
    await context.setOffline(true);
    const served = server.requests.length;
    await page.reload();
    await page.waitForFunction(() => /model:/.test(document.getElementById('status')?.textContent ?? ''), undefined, { timeout: 60_000 });
    expect(await page.textContent('#status')).toContain('model: Tiny random demo models');
    expect(await page.textContent('#offline-state')).toBe('Works offline: the app is stored in this browser.');
    await page.setInputFiles('#images', png('object.png', rgbaObjectPng()));
    await setParams({ ...SMALL, seed: '11' });
    const run = await generate();
    expect(run).toEqual({ progress: 'Done.', code: null });
    // Newest first; the result from before the reload is still kept (IndexedDB).
    await expect.poll(() => page.evaluate(() => (globalThis as any).trellisApp.history), { timeout: 30_000 }).toEqual([
      { seed: 11, file: 'trellis_11.glb', size: expect.any(Number) },
      { seed: 7, file: 'trellis_7.glb', size: expect.any(Number) },
    ]);
    expect(server.requests.length).toBe(served);
  }, GEN_TIMEOUT);
});
