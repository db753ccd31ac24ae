// The newcomer's path through the built site (issue #13), in headless Chromium at 1280×900:
//  1. a first visit with no models gets a welcome with the two set-up paths, not an error panel;
//  2. after the demo models are made (as `npm run fixtures` does) a reload offers them at once;
//  3. the chosen model, device and parameters survive a reload, and a visit without a query;
//  4. "Done." appears only once the model is in the viewer and Download exists, and the viewer
//     is still in view when the visitor has scrolled to Generate;
//  5. the result survives a reload in the results list and downloads again (a valid GLB);
//     deleting it removes it for good.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { buildSite, launchChromium, serveStatic, type BrowserSession, type BuiltSite, type StaticServer } from '../helpers/browser.ts';
import { rgbaObjectPng, validateGlb } from '../helpers/product.ts';
import { makeTinyRandomModels } from '../../src/convert/fixtures/tiny-models.ts';

let site: BuiltSite;
let server: StaticServer;
let browser: BrowserSession;
const GEN_TIMEOUT = 600_000;
const PARAMS = { ss_sampling_steps: '2', slat_sampling_steps: '2', seed: '5' };

const statusSettled = () => browser.page.waitForFunction(() => /model:/.test(document.getElementById('status')?.textContent ?? ''), undefined, { timeout: 60_000 });

beforeAll(async () => {
  site = await buildSite();
  server = await serveStatic(site.dir, { prefix: '/sub/app/' });
  browser = await launchChromium();
  await browser.page.setViewportSize({ width: 1280, height: 900 });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await site?.remove();
});

describe('a newcomer on the built site', () => {
  it('first visit without models: a welcome with both set-up paths, no error panel', async () => {
    const { page } = browser;
    await page.goto(server.url);
    await statusSettled();
    expect(await page.textContent('#status')).toContain('model: not installed');
    expect(await page.isVisible('#welcome')).toBe(true);
    expect(await page.isVisible('#error')).toBe(false);
    const demo = (await page.textContent('#welcome [data-path="demo"]')) ?? '';
    const convert = (await page.textContent('#welcome [data-path="convert"]')) ?? '';
    expect(demo).toContain('npm run fixtures');
    expect(convert).toContain('npx trellis-web convert --from hf:microsoft/TRELLIS-image-large --dinov2 hf:facebook/dinov2-with-registers-large');
    // Nothing to click yet: the demo models are not there.
    expect(await page.locator('#use-demo').count()).toBe(0);
  });

  it('after the demo models are made, a reload offers them at once; choosing them sticks to the URL', async () => {
    const { page } = browser;
    await makeTinyRandomModels(path.join(site.dir, 'models', 'tiny-random'));
    await page.reload();
    await statusSettled();
    expect(await page.isVisible('#use-demo')).toBe(true);
    expect(await page.isVisible('#error')).toBe(false);
    await page.click('#use-demo');
    await page.waitForFunction(() => /model: Tiny random demo models/.test(document.getElementById('status')?.textContent ?? ''));
    expect(await page.isVisible('#welcome')).toBe(false);
    expect(new URL(page.url()).searchParams.get('model')).toBe('tiny-random');
  });

  it('model, device and parameters survive a reload and a visit without a query string', async () => {
    const { page } = browser;
    await page.click('#engine-card summary');
    await page.selectOption('#device', 'wasm');
    for (const [k, v] of Object.entries(PARAMS)) await page.fill(`#param-${k}`, v);
    await page.selectOption('#param-texture_size', '512');
    const query = new URL(page.url()).searchParams;
    expect(Object.fromEntries(['model', 'device', 'ss_sampling_steps', 'seed', 'texture_size'].map((k) => [k, query.get(k)]))).toEqual({
      model: 'tiny-random',
      device: 'wasm',
      ss_sampling_steps: '2',
      seed: '5',
      texture_size: '512',
    });
    for (const url of [page.url(), server.url]) {
      await page.goto(url);
      await statusSettled();
      expect(await page.textContent('#status')).toContain('model: Tiny random demo models');
      expect(await page.inputValue('#models')).toBe('./models/tiny-random/');
      expect(await page.inputValue('#device')).toBe('wasm');
      for (const [k, v] of Object.entries(PARAMS)) expect(await page.inputValue(`#param-${k}`)).toBe(v);
      expect(await page.inputValue('#param-texture_size')).toBe('512');
    }
    // The bare visit got its query back from storage, so the address can be shared as it is.
    expect(new URL(page.url()).searchParams.get('device')).toBe('wasm');
  });

  it('"Done." only once the model is in the viewer and Download exists; the viewer stays in view', async () => {
    const { page } = browser;
    await page.setInputFiles('#images', { name: 'object.png', mimeType: 'image/png', buffer: rgbaObjectPng() });
    await page.waitForSelector('#image-list li');
    await page.locator('#generate').scrollIntoViewIfNeeded();
    // Record the page at the moment the progress line first says "Done.".
    await page.evaluate(() => {
      const line = document.getElementById('progress')!;
      const g = globalThis as { doneSeen?: unknown };
      g.doneSeen = null;
      new MutationObserver(() => {
        if (g.doneSeen || line.textContent !== 'Done.') return;
        const download = document.getElementById('download') as HTMLAnchorElement;
        g.doneSeen = { model: document.getElementById('viewer')!.dataset.model ?? null, download: !download.hidden && download.href.startsWith('blob:') };
      }).observe(line, { childList: true, characterData: true, subtree: true });
    });
    await page.click('#generate');
    await page.waitForFunction(() => !document.body.dataset.busy && /^(Done|Failed)\./.test(document.getElementById('progress')?.textContent ?? ''), undefined, { timeout: GEN_TIMEOUT });
    expect(await page.locator('#error').getAttribute('data-code')).toBeNull();
    expect(await page.evaluate(() => (globalThis as { doneSeen?: unknown }).doneSeen)).toEqual({ model: 'trellis_5.glb', download: true });
    // Generate is still where the visitor left it, and so is the whole viewer.
    const viewer = await page.locator('#viewer').boundingBox();
    const button = await page.locator('#generate').boundingBox();
    expect(viewer!.y).toBeGreaterThanOrEqual(0);
    expect(viewer!.y + viewer!.height).toBeLessThanOrEqual(900);
    expect(button!.y + button!.height).toBeLessThanOrEqual(900);
  }, GEN_TIMEOUT);

  it('the result survives a reload, downloads again as a valid GLB, and can be deleted', async () => {
    const { page } = browser;
    // Stored after "Done." (thumbnail, then IndexedDB): give a slow machine time.
    await expect.poll(() => page.locator('#history li').count(), { timeout: 30_000 }).toBe(1);
    await page.reload();
    await statusSettled();
    await expect.poll(() => page.locator('#history li').count(), { timeout: 10_000 }).toBe(1);
    const item = page.locator('#history li').first();
    expect(await item.textContent()).toContain('seed 5');
    expect(await item.locator('img').count()).toBe(1); // the input thumbnail was kept too
    const [download] = await Promise.all([page.waitForEvent('download'), item.locator('a', { hasText: 'GLB' }).click()]);
    expect(download.suggestedFilename()).toBe('trellis_5.glb');
    const bytes = new Uint8Array(await readFile((await download.path())!));
    const report = await validateGlb(bytes);
    expect(report.errors).toBe(0);
    expect(report.messages).toEqual([]);
    // View puts it back into the viewer.
    await item.locator('button', { hasText: 'View' }).click();
    await page.waitForFunction(() => document.getElementById('viewer')?.dataset.model === 'trellis_5.glb');
    await item.locator('button', { hasText: 'Delete' }).click();
    await expect.poll(() => page.locator('#history li').count()).toBe(0);
    await page.reload();
    await statusSettled();
    expect(await page.locator('#history li').count()).toBe(0);
    expect(await page.isVisible('#history-empty')).toBe(true);
  }, GEN_TIMEOUT);
});
