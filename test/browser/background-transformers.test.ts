// The transformers.js background remover in headless Chromium, inside the engine harness worker
// exactly as the app runs it: stand-in TRELLIS graphs plus a background_removal component in
// transformers.js layout (a tiny 'modnet' folder, mask = Clip(2R − G − B, 0, 1)).
//  - an opaque image goes through background removal on 'wasm' and on 'webgpu', and its
//    generation equals the generation of the expected cut-out (alpha = the mask computed in
//    TypeScript): the mask the browser pipeline produced is the model's mask;
//  - no request leaves the test server (no hub, no CDN for ORT's wasm);
//  - the harness build bundles one ONNX Runtime: transformers.js imports the engine's chunk.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { request, useEngineHarness } from './engine-harness/session.ts';
import { writeFakeModelFolder } from '../unit/engine-fixture.ts';
import { addModnetBackground, expectedModnetMask, opaqueTestImage, pngDataUrl } from '../unit/background-fixtures.ts';
import { naiveCutout } from '../../src/engine/preprocess/rembg-u2net.ts';
import { resizeLanczosRgb } from '../../src/engine/preprocess/pil-lanczos.ts';

const MODELS = 'models/standin-tf-bg';
/** URLs the page (with its dedicated workers) and the whole browser context asked for. */
const requested = { page: [] as string[], context: [] as string[] };
const engine = useEngineHarness({
  models: (dir) => {
    const folder = path.join(dir, MODELS);
    addModnetBackground(folder, writeFakeModelFolder(folder));
  },
  echoConsole: /background|transformers|onnxruntime|CDN|hub/i,
  onBrowser: (browser) => {
    // The page listener reports the harness worker's fetches too; the context one would also
    // catch a service worker or another page.
    browser.page.on('request', (r) => requested.page.push(r.url()));
    browser.context.on('request', (r) => requested.context.push(r.url()));
  },
});
const harness = engine.call;

const photo = opaqueTestImage(120, 90);
const mask = expectedModnetMask(photo);
// What the engine does with the mask (rembg's naive cut-out of the ≤1024-px image), done here.
const cutout = naiveCutout(resizeLanczosRgb(photo, photo.width, photo.height), mask);

type Generated = { backend: string; meshCount: number; structure: number[]; meshFeatsChecksum: number; events: { stage: string }[] };

describe('transformers.js background removal in Chromium (engine worker)', () => {
  it('the fixture mask is binary and cuts something out', () => {
    // Binary: the cut-out PNG then decodes exactly in the browser (a 2-D canvas premultiplies,
    // which is lossy only for partial alpha), so the two generations can be compared exactly.
    expect(mask.every((v) => v === 0 || v === 255)).toBe(true);
    const fg = mask.filter((v) => v === 255).length;
    expect(fg).toBeGreaterThan(mask.length * 0.1);
    expect(fg).toBeLessThan(mask.length * 0.5);
  });

  for (const device of ['wasm', 'webgpu'] as const) {
    it(`${device}: the opaque image's generation equals that of the expected cut-out`, async () => {
      const load = await harness<{ info: { backend: string } }>('load', `${engine.server.url}${MODELS}/manifest.json`, device, engine.wasmPaths());
      expect(load.info.backend).toBe(device);
      const removed = await harness<Generated>('generate', request(pngDataUrl(photo)));
      const direct = await harness<Generated>('generate', request(pngDataUrl(cutout)));
      console.log(`${device}: removed ${removed.meshCount} rows, checksum ${removed.meshFeatsChecksum}; cut-out ${direct.meshCount} rows, checksum ${direct.meshFeatsChecksum}`);
      expect(removed.backend).toBe(device);
      expect(removed.events.some((e) => e.stage === 'background_removal')).toBe(true);
      expect(direct.events.some((e) => e.stage === 'background_removal')).toBe(false);
      expect(removed.meshCount).toBeGreaterThan(0);
      expect(removed.structure).toEqual(direct.structure);
      expect(removed.meshFeatsChecksum).toBe(direct.meshFeatsChecksum);
      if (device === 'wasm') {
        // The comparison can fail: without the cut-out the same photo generates something else.
        const asIs = await harness<Generated>('generate', request(pngDataUrl(photo), { use_image_as_is: true }));
        expect(asIs.structure.join() !== removed.structure.join() || asIs.meshFeatsChecksum !== removed.meshFeatsChecksum).toBe(true);
      }
    }, 600_000);
  }

  it('no request left the test server (no hub, no CDN)', () => {
    const origin = engine.server.origin;
    for (const [who, urls] of Object.entries(requested)) {
      const paths = [...new Set(urls.map((u) => (u.startsWith(origin) ? u.slice(origin.length) : u.slice(0, 60))))];
      console.log(`${who}: ${urls.length} requests, ${paths.length} distinct: ${paths.join(' ')}`);
      // The worker's own fetches are seen: transformers.js's model files and ORT's wasm.
      for (const file of ['/background_removal/onnx/model.onnx', '/background_removal/preprocessor_config.json', '/ort/ort-wasm-simd-threaded']) {
        expect(urls.some((u) => u.includes(file)), `${who}: ${file}`).toBe(true);
      }
      // data: URLs are the test images decoded in the worker; they never reach a network.
      expect(urls.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith('data:'))).toEqual([]);
    }
  });

  it('the harness build holds one ONNX Runtime, and transformers.js imports it', () => {
    const assets = path.join(engine.siteDir, 'assets');
    const chunks = readdirSync(assets).filter((f) => f.endsWith('.js'));
    const text = new Map(chunks.map((f) => [f, readFileSync(path.join(assets, f), 'utf8')]));
    // Messages only onnxruntime-web's runtime has (session creation, backend resolution); the
    // transformers.js chunk also carries onnxruntime-common's Tensor class, which is no runtime.
    const runtimes = chunks.filter((f) => text.get(f)!.includes("Can't create a session") || text.get(f)!.includes('no available backend found'));
    expect(runtimes).toHaveLength(1);
    expect(readdirSync(assets).filter((f) => /^ort-wasm.*\.wasm$/.test(f))).toHaveLength(1);
    const tf = chunks.filter((f) => f.startsWith('transformers.web'));
    expect(tf).toHaveLength(1);
    expect(text.get(tf[0])!).toContain(`from"./${runtimes[0]}"`);
  });
});
