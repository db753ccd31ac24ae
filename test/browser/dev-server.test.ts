// `npm start` (the Vite dev server): the page, the worker (TypeScript served as a module worker)
// and the ORT wasm files all work without a build.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium, startDevServer, type BrowserSession, type DevServer } from '../helpers/browser.ts';

let dev: DevServer;
let browser: BrowserSession;

beforeAll(async () => {
  dev = await startDevServer();
  browser = await launchChromium();
  await browser.page.goto(dev.url);
  await browser.page.waitForFunction(() => /model:/.test(document.getElementById('status')?.textContent ?? ''), undefined, { timeout: 60_000 });
});

afterAll(async () => {
  await browser?.close();
  await dev?.close();
});

it('reaches the worker, reports the adapter, and answers MODEL_MISSING for the absent model', async () => {
  const { page } = browser;
  expect(await page.textContent('#status')).toMatch(/WebGPU: .*· model: not installed/);
  const outcome = await page.evaluate(async () => {
    const client = (globalThis as any).trellisApp.client;
    const caps = await client.capabilities();
    try {
      await client.load();
      return { caps, code: 'loaded' };
    } catch (e: any) {
      return { caps, code: e.code as string };
    }
  });
  expect(outcome.caps.adapter).not.toBeNull();
  expect(outcome.code).toBe('MODEL_MISSING');
});

it('serves the ORT wasm files at ./ort/ as application/wasm', async () => {
  const type = await browser.page.evaluate(async () => (await fetch('./ort/ort-wasm-simd-threaded.asyncify.wasm')).headers.get('content-type'));
  expect(type).toBe('application/wasm');
  expect(browser.errors.filter((e) => !/404 \(Not Found\)/.test(e))).toEqual([]);
});
