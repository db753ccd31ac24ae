// Regenerates the README's screenshots (docs/screenshots/*.png) from a fresh build with the tiny
// demo models, in Debian's Chromium at 1280×900: the first page without models, a finished
// generation, and the <trellis-generator> widget on the embedding demo.
//   npm run screenshots
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSite, buildWidget, launchChromium, serveStatic } from '../test/helpers/browser.ts';
import { makeTinyRandomModels } from '../src/convert/fixtures/tiny-models.ts';

const OUT = fileURLToPath(new URL('./screenshots/', import.meta.url));
const statusSettled = /model:/;

const site = await buildSite();
const server = await serveStatic(site.dir, { prefix: '/' });
const browser = await launchChromium();
try {
  const { page } = browser;
  await page.setViewportSize({ width: 1280, height: 900 });
  const settled = () => page.waitForFunction((re) => new RegExp(re).test(document.getElementById('status')?.textContent ?? ''), statusSettled.source, { timeout: 60_000 });

  await page.goto(server.url);
  await settled();
  await page.screenshot({ path: path.join(OUT, 'first-page.png') });

  await buildWidget(path.join(site.dir, 'widget'), 'site');
  await makeTinyRandomModels(path.join(site.dir, 'models', 'tiny-random'));
  await page.goto(`${server.url}?model=tiny-random&device=wasm&ss_sampling_steps=4&slat_sampling_steps=4&seed=1`);
  await settled();
  await page.setInputFiles('#images', path.join(site.dir, 'samples', 'sample-object.png'));
  await page.click('#generate');
  await page.waitForFunction(() => document.getElementById('progress')?.textContent === 'Done.', undefined, { timeout: 600_000 });
  await page.waitForSelector('#history li');
  await page.evaluate(() => new Promise((r) => setTimeout(r, 1500))); // a few frames of auto-rotate
  await page.screenshot({ path: path.join(OUT, 'generation.png') });

  await page.goto(`${server.url}demo-host.html?device=wasm&ss_sampling_steps=4&slat_sampling_steps=4&seed=1`);
  await page.waitForFunction(() => (globalThis as { demoHost?: { records: { type: string }[] } }).demoHost?.records.some((r) => r.type === 'loaded'));
  await page.evaluate(() => void (document.querySelector('trellis-generator') as unknown as { generate(): Promise<unknown> }).generate().catch(() => undefined));
  await page.waitForFunction(() => document.querySelector('trellis-generator')?.getAttribute('state') === 'done', undefined, { timeout: 600_000 });
  await page.evaluate(() => new Promise((r) => setTimeout(r, 1500)));
  await page.locator('trellis-generator').screenshot({ path: path.join(OUT, 'widget.png') });
  console.log(`wrote ${OUT}{first-page,generation,widget}.png`);
} finally {
  await browser.close();
  await server.close();
  await site.remove();
}
