// The browser side shared by the engine tests: builds the harness page into a temp site, lets the
// test put a model folder in it, serves it under /sub/ and opens it in headless Chromium (hooks
// registered with beforeAll/afterAll), plus the test image and request they generate from.
import { afterAll, beforeAll } from 'vitest';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { closeBrowserTest, launchChromium, openHarnessPage, serveStatic, type BrowserSession, type StaticServer } from '../../helpers/browser.ts';
import { buildEngineHarness, HARNESS_PAGE } from './build.ts';
import type { EngineRequest } from '../../../src/engine/protocol.ts';

/** An RGBA PNG data URL: a coloured gradient inside an opaque ellipse on a transparent ground. */
export function rgbaPng(w: number, h: number): string {
  const p = new PNG({ width: w, height: h });
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const i = (y * w + x) * 4;
    const inside = ((x - w / 2) / (w * 0.3)) ** 2 + ((y - h / 2) / (h * 0.35)) ** 2 < 1;
    p.data[i] = (x * 3) & 255;
    p.data[i + 1] = (y * 5) & 255;
    p.data[i + 2] = 140;
    p.data[i + 3] = inside ? 255 : 0;
  }
  return `data:image/png;base64,${PNG.sync.write(p).toString('base64')}`;
}

/** A short generation (2 + 2 steps, seed 5) of `image`; `extra` overrides any field. */
export function request(image: string, extra: Partial<EngineRequest> = {}): EngineRequest {
  return { images: [image], seed: 5, ss_guidance_strength: 7.5, ss_sampling_steps: 2, slat_guidance_strength: 3, slat_sampling_steps: 2, multiimage_algo: 'stochastic', mesh_simplify: 0.95, texture_size: 512, ...extra };
}

export interface EngineHarnessOptions {
  /** Writes the models the test loads into the site folder before it is served (awaited if it returns a promise). */
  models: (siteDir: string) => unknown;
  /** Worker console lines that match are echoed to the test log. */
  echoConsole: RegExp;
  /** Called once the browser runs, before the harness page opens (e.g. to watch every request). */
  onBrowser?: (browser: BrowserSession, server: StaticServer) => void;
}

export interface EngineHarness {
  /** The built site folder (valid once beforeAll ran). */
  readonly siteDir: string;
  readonly server: StaticServer;
  readonly browser: BrowserSession;
  /** Calls `engineHarness[fn](...args)` in the page. */
  call<T>(fn: string, ...args: unknown[]): Promise<T>;
  /** Where the page loads ORT's wasm runtimes from. */
  wasmPaths(): string;
}

/** Registers the beforeAll/afterAll hooks of one test file and returns its harness. */
export function useEngineHarness(opts: EngineHarnessOptions): EngineHarness {
  let siteDir: string | undefined;
  let server: StaticServer | undefined;
  let browser: BrowserSession | undefined;
  const ready = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`engine harness: ${what} used before beforeAll set it up`);
    return v;
  };

  beforeAll(async () => {
    siteDir = await mkdtemp(path.join(tmpdir(), 'trellis-engine-site-'));
    await buildEngineHarness(siteDir);
    await opts.models(siteDir);
    server = await serveStatic(siteDir, { prefix: '/sub/' });
    browser = await launchChromium();
    browser.page.on('console', (m) => {
      if (opts.echoConsole.test(m.text())) console.log(`[worker console] ${m.text()}`);
    });
    opts.onBrowser?.(browser, server);
    await openHarnessPage(browser, `${server.url}${HARNESS_PAGE}`);
  }, 900_000);

  afterAll(() => closeBrowserTest(browser, server, siteDir));

  return {
    get siteDir() {
      return ready(siteDir, 'siteDir');
    },
    get server() {
      return ready(server, 'server');
    },
    get browser() {
      return ready(browser, 'browser');
    },
    call: <T>(fn: string, ...args: unknown[]): Promise<T> =>
      ready(browser, 'browser').page.evaluate(([f, a]) => (globalThis as any).engineHarness[f as string](...(a as unknown[])), [fn, args] as const) as Promise<T>,
    wasmPaths: () => `${ready(server, 'server').url}ort/`,
  };
}
