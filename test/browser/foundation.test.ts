// The built site under a sub-path in headless Chromium: WebGPU adapter, the pipeline worker over
// Comlink (capabilities seen from inside the worker, MODEL_MISSING with its code), relative asset
// paths (ORT's wasm served as application/wasm), and schema errors shown inline.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSite, launchChromium, serveStatic, type BrowserSession, type BuiltSite, type StaticServer } from '../helpers/browser.ts';

let site: BuiltSite;
let server: StaticServer;
let browser: BrowserSession;

beforeAll(async () => {
  site = await buildSite();
  server = await serveStatic(site.dir, { prefix: '/sub/trellis/' });
  browser = await launchChromium();
  await browser.page.goto(server.url);
  // Startup probes the worker and the model folder; wait until the status line reports both.
  await browser.page.waitForFunction(() => /model:/.test(document.getElementById('status')?.textContent ?? ''), undefined, { timeout: 60_000 });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await site?.remove();
});

describe('site foundation in Chromium', () => {
  it('exposes a WebGPU adapter to the page', async () => {
    const info = await browser.page.evaluate(async () => {
      const adapter = await (navigator as any).gpu?.requestAdapter();
      if (!adapter) return null;
      return { vendor: adapter.info.vendor, architecture: adapter.info.architecture, maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize };
    });
    console.log('page WebGPU adapter:', JSON.stringify(info));
    expect(info).not.toBeNull();
    expect(info!.maxStorageBufferBindingSize).toBeGreaterThan(0);
  });

  it('talks to the pipeline worker over Comlink and sees the adapter from inside it', async () => {
    const caps = await browser.page.evaluate(() => (globalThis as any).trellisApp.client.capabilities());
    console.log('worker capabilities:', JSON.stringify(caps));
    expect(caps.webgpuApi).toBe(true);
    expect(caps.adapter).not.toBeNull();
    expect(caps.adapter.maxBufferSize).toBeGreaterThan(0);
    expect(Array.isArray(caps.adapter.features)).toBe(true);
    expect(typeof caps.engineAvailable).toBe('boolean');
    expect(caps.hardwareConcurrency).toBeGreaterThan(0);
  });

  it('gets MODEL_MISSING (code kept across the worker boundary) for the absent model folder, resolved under the sub-path', async () => {
    const outcome = await browser.page.evaluate(async () => {
      const client = (globalThis as any).trellisApp.client;
      try {
        await client.load();
        return { loaded: true };
      } catch (e: any) {
        return { loaded: false, name: e.name, code: e.code, message: e.message, manifestUrl: client.manifestUrl };
      }
    });
    expect(outcome).toMatchObject({ loaded: false, name: 'EngineError', code: 'MODEL_MISSING' });
    expect(outcome.manifestUrl).toBe(`${server.url}models/trellis-image-large/manifest.json`);
    expect(outcome.message).toContain(outcome.manifestUrl);
  });

  it('greets a first visit without models with the two set-up paths, not an error', async () => {
    const welcome = browser.page.locator('#welcome');
    await expect.poll(() => welcome.isVisible()).toBe(true);
    const text = await welcome.textContent();
    expect(text).toContain('npx trellis-web convert --from hf:microsoft/TRELLIS-image-large --dinov2 hf:facebook/dinov2-with-registers-large');
    expect(text).toContain('npm run fixtures');
    expect(await browser.page.locator('#error').isVisible()).toBe(false);
  });

  it('serves the bundled ORT wasm next to the page as application/wasm, and it compiles', async () => {
    const result = await browser.page.evaluate(async () => {
      const url = new URL('./ort/ort-wasm-simd-threaded.asyncify.wasm', location.href).href;
      const response = await fetch(url);
      const type = response.headers.get('content-type');
      const module = await WebAssembly.compileStreaming(response);
      return { url, type, exports: WebAssembly.Module.exports(module).length };
    });
    expect(result.url).toBe(`${server.url}ort/ort-wasm-simd-threaded.asyncify.wasm`);
    expect(result.type).toBe('application/wasm');
    expect(result.exports).toBeGreaterThan(10);
  });

  it('shows schema errors inline without starting a generation', async () => {
    const { page } = browser;
    await page.fill('#image_url', 'not-a-url');
    await page.fill('#param-ss_sampling_steps', '0');
    await page.fill('#param-mesh_simplify', '0.99');
    await page.click('#generate');
    await expect.poll(() => page.locator('[data-error-for="ss_sampling_steps"]').textContent()).toContain('between 1 and 50');
    expect(await page.locator('[data-error-for="mesh_simplify"]').textContent()).toContain('between 0.9 and 0.98');
    expect(await page.locator('[data-error-for="image_url"]').textContent()).toContain('not a valid absolute URL');
    expect(await page.locator('#param-ss_sampling_steps').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#progress').textContent()).toBe('');
  });

  it('runs a valid request from the form through the worker and explains MODEL_MISSING', async () => {
    const { page } = browser;
    await page.evaluate(() => {
      const panel = document.getElementById('error')!;
      panel.hidden = true;
      delete panel.dataset.code;
    });
    // A 1x1 transparent PNG as a data: URL, and valid parameters.
    await page.fill('#image_url', 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==');
    await page.fill('#param-ss_sampling_steps', '12');
    await page.fill('#param-mesh_simplify', '0.95');
    await page.click('#generate');
    await expect.poll(() => page.locator('#error').getAttribute('data-code')).toBe('MODEL_MISSING');
    expect(await page.locator('#progress').textContent()).toBe('Failed.');
    expect(await page.locator('[data-error-for="ss_sampling_steps"]').textContent()).toBe('');
    expect(await page.locator('#generate').isDisabled()).toBe(false);
    expect(await page.locator('#cancel').isDisabled()).toBe(true);
  });

  it('loaded every asset from under the sub-path without page errors', () => {
    const outside = server.requests.filter((r) => !r.path.startsWith('/sub/trellis/'));
    expect(outside).toEqual([]);
    const missing = server.requests.filter((r) => r.status !== 200 && !r.path.endsWith('/manifest.json'));
    expect(missing).toEqual([]);
    const errors = browser.errors.filter((e) => !/404 \(Not Found\)/.test(e));
    expect(errors).toEqual([]);
  });
});
