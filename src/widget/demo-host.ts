// The embedding demo page (demo-host.html): loads the widget module from the Trellis site and
// embeds the iframe, both pointed at the same model folder, and logs what comes back. It is
// meant to be served from a different origin than the site (tests do exactly that).
import { PARAM_NAMES } from './attributes.ts';
import { parseSiteList, resolveDemoSite, widgetModuleUrl } from './demo-site.ts';

const query = new URLSearchParams(location.search);
// The site (and with it the widget script and the trusted message origin) comes from a fixed
// list, never freely from the query string: see demo-site.ts.
const { site, problem: siteProblem } = resolveDemoSite(query.get('site'), location.href, parseSiteList(import.meta.env.VITE_DEMO_SITES as string | undefined));
const widgetUrl = widgetModuleUrl(site, Boolean(import.meta.hot));
const modelsUrl = new URL(query.get('models') ?? 'models/tiny-random/', site).href;
const imageUrl = new URL(query.get('image_url') ?? 'samples/sample-object.png', site).href;
const params: Record<string, string> = {};
for (const name of PARAM_NAMES) if (query.get(name) !== null) params[name] = query.get(name)!;
const device = query.get('device');

interface HostRecord {
  type: string;
  source: 'element' | 'iframe';
  detail: unknown;
}
const records: HostRecord[] = [];
(globalThis as { demoHost?: unknown }).demoHost = { records, siteOrigin: site.origin };

const logEl = document.getElementById('log')!;
function log(source: HostRecord['source'], type: string, detail: unknown, text: string): void {
  records.push({ type, source, detail });
  const li = document.createElement('li');
  li.textContent = `[${source}] ${type}: ${text}`;
  logEl.prepend(li);
}

if (siteProblem) log('element', 'site-refused', siteProblem, siteProblem);

// 1 · the element
const attrs: Record<string, string> = { 'models-url': modelsUrl, 'image-url': imageUrl, ...params, ...(device ? { device } : {}) };
document.getElementById('element-code')!.textContent =
  `<script type="module" src="${widgetUrl}"></script>\n<trellis-generator\n${Object.entries(attrs)
    .map(([k, v]) => `  ${k}="${v.length > 70 ? `${v.slice(0, 67)}...` : v}"`)
    .join('\n')}>\n</trellis-generator>`;
const element = document.createElement('trellis-generator');
for (const [k, v] of Object.entries(attrs)) element.setAttribute(k, v);
element.addEventListener('trellis-progress', (e) => {
  const d = (e as CustomEvent).detail as { stage: string; step?: number; steps?: number };
  log('element', 'trellis-progress', d, `${d.stage}${d.step ? ` ${d.step}/${d.steps}` : ''}`);
});
element.addEventListener('trellis-result', (e) => {
  const d = (e as CustomEvent).detail as { seed: number; model_mesh: { file_name: string; file_size: number } };
  log('element', 'trellis-result', d, `${d.model_mesh.file_name} (${d.model_mesh.file_size} bytes), seed ${d.seed}`);
});
element.addEventListener('trellis-error', (e) => {
  const d = (e as CustomEvent).detail as { code: string; message: string };
  log('element', 'trellis-error', d, `${d.code}: ${d.message}`);
});
document.getElementById('element-slot')!.append(element);
import(/* @vite-ignore */ widgetUrl).then(
  () => log('element', 'loaded', widgetUrl, `widget module from ${widgetUrl}`),
  (error) => log('element', 'load-failed', String(error), `could not load ${widgetUrl}: ${(error as Error).message}`),
);

// 2 · the iframe
const embedUrl = new URL('embed.html', site);
embedUrl.searchParams.set('allow', location.origin);
embedUrl.searchParams.set('models', modelsUrl);
if (device) embedUrl.searchParams.set('device', device);
const iframe = document.getElementById('embed') as HTMLIFrameElement;
const button = document.getElementById('iframe-generate') as HTMLButtonElement;
let nextId = 1;
document.getElementById('iframe-code')!.textContent =
  `<iframe src="${embedUrl.href}"></iframe>\n\niframe.contentWindow.postMessage(\n  { type: 'trellis:generate', id: 1, input: { image_url, ...params } },\n  '${site.origin}')`;
window.addEventListener('message', (event) => {
  // Only the embed's own origin speaks for it.
  if (event.origin !== site.origin || event.source !== iframe.contentWindow) return;
  const data = event.data as { type?: string; id?: unknown; event?: { stage: string }; result?: { seed: number; model_mesh: { file_name: string; file_size: number } }; error?: { code: string; message: string } };
  if (data?.type === 'trellis:ready') {
    button.disabled = false;
    log('iframe', 'trellis:ready', data, 'embed is listening');
  } else if (data?.type === 'trellis:progress') log('iframe', 'trellis:progress', data, data.event?.stage ?? '');
  else if (data?.type === 'trellis:result') log('iframe', 'trellis:result', data, `#${String(data.id)}: ${data.result?.model_mesh.file_name} (${data.result?.model_mesh.file_size} bytes), seed ${data.result?.seed}`);
  else if (data?.type === 'trellis:error') log('iframe', 'trellis:error', data, `#${String(data.id)}: ${data.error?.code}: ${data.error?.message}`);
});
button.addEventListener('click', () => {
  const input: Record<string, unknown> = { image_url: imageUrl };
  for (const [k, v] of Object.entries(params)) input[k] = k === 'multiimage_algo' ? v : Number(v);
  iframe.contentWindow?.postMessage({ type: 'trellis:generate', id: nextId++, input }, site.origin);
});
iframe.src = embedUrl.href;
