// The site: pick an image, set fal parameters, generate, download the GLB.
import { createTrellis, type TrellisClient } from '../api/client.ts';
import { formatProgress } from '../api/progress-format.ts';
import { checkInput } from '../api/schema.ts';
import { ENDPOINT_MULTI, ENDPOINT_SINGLE, type TrellisResult } from '../api/types.ts';
import { EngineError } from '../engine/errors.ts';
import type { DevicePreference } from '../engine/protocol.ts';
import { loadManifest, ManifestError, manifestBytes } from '../models/manifest.ts';
import { errorHelp } from './error-help.ts';
import { clearIssues, readParams, renderParamFields, showIssues } from './param-form.ts';

const $ = <T extends HTMLElement>(id: string) => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`index.html lacks #${id}`);
  return el as T;
};

const form = $<HTMLFormElement>('form');
const fileInput = $<HTMLInputElement>('images');
const urlInput = $<HTMLInputElement>('image_url');
const deviceSelect = $<HTMLSelectElement>('device');
const modelsInput = $<HTMLInputElement>('models');
const generateButton = $<HTMLButtonElement>('generate');
const cancelButton = $<HTMLButtonElement>('cancel');
const statusLine = $('status');
const progressLine = $('progress');
const resultLine = $('result');
const errorPanel = $('error');
const canvas = $<HTMLCanvasElement>('viewer');

renderParamFields($('params'));

const params = new URLSearchParams(location.search);
if (params.get('model')) modelsInput.value = `./models/${params.get('model')}/`;
if (params.get('device')) deviceSelect.value = params.get('device')!;

let client: TrellisClient | null = null;
let clientKey = '';

/** The client for the current device and model folder (recreated when either changes). */
function currentClient(): TrellisClient {
  const key = `${deviceSelect.value}|${modelsInput.value}`;
  if (!client || key !== clientKey) {
    void client?.dispose();
    client = createTrellis({ device: deviceSelect.value as DevicePreference, modelsUrl: modelsInput.value });
    clientKey = key;
  }
  return client;
}

// For the console and end-to-end tests.
(globalThis as { trellisApp?: unknown }).trellisApp = {
  get client() {
    return currentClient();
  },
};

function renderAdvice(text: string, into: HTMLElement): void {
  // Backtick spans become <code>, everything else stays text (no HTML injection from messages).
  text.split(/(`[^`]+`)/).forEach((part) => {
    if (part.startsWith('`') && part.endsWith('`')) {
      const code = document.createElement('code');
      code.textContent = part.slice(1, -1);
      into.append(code);
    } else into.append(part);
  });
}

function showError(code: string, message: string): void {
  const help = errorHelp(code);
  errorPanel.replaceChildren();
  const title = document.createElement('h2');
  title.textContent = `${help.title}${code !== 'VALIDATION' ? ` (${code})` : ''}`;
  errorPanel.append(title);
  for (const advice of help.advice) {
    const p = document.createElement('p');
    renderAdvice(advice, p);
    errorPanel.append(p);
  }
  if (message) {
    const pre = document.createElement('pre');
    pre.textContent = message;
    errorPanel.append(pre);
  }
  if (help.offerWasm && deviceSelect.value !== 'wasm') {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = 'Use WASM (CPU) instead';
    button.addEventListener('click', () => {
      deviceSelect.value = 'wasm';
      errorPanel.hidden = true;
      form.requestSubmit();
    });
    errorPanel.append(button);
  }
  errorPanel.dataset.code = code;
  errorPanel.hidden = false;
}

function hideError(): void {
  errorPanel.hidden = true;
  delete errorPanel.dataset.code;
}

function buildInput(): { endpoint: typeof ENDPOINT_SINGLE | typeof ENDPOINT_MULTI; input: Record<string, unknown> } {
  const files = [...(fileInput.files ?? [])];
  const url = urlInput.value.trim();
  const images: (File | string)[] = [...files, ...(url ? [url] : [])];
  const multi = images.length > 1;
  const input = readParams(form, multi);
  if (multi) return { endpoint: ENDPOINT_MULTI, input: { ...input, image_urls: images } };
  // An empty string goes to the schema so the "required" message is the schema's own.
  return { endpoint: ENDPOINT_SINGLE, input: { ...input, image_url: images[0] } };
}

function updateMultiVisibility(): void {
  const count = (fileInput.files?.length ?? 0) + (urlInput.value.trim() ? 1 : 0);
  const algo = form.querySelector<HTMLElement>('[data-field="multiimage_algo"]');
  if (algo) algo.hidden = count < 2;
}
fileInput.addEventListener('change', updateMultiVisibility);
urlInput.addEventListener('input', updateMultiVisibility);

let running: AbortController | null = null;
let lastUrl: string | null = null;
let viewer: { dispose(): void } | null = null;

/** three.js is loaded only once there is something to show. */
async function showModel(glb: Blob): Promise<void> {
  const { showMesh } = await import('../viewer/index.ts');
  viewer?.dispose();
  viewer = await showMesh(canvas, new Uint8Array(await glb.arrayBuffer()), { autoRotate: true });
}

function showResult(result: TrellisResult): void {
  if (lastUrl) URL.revokeObjectURL(lastUrl);
  lastUrl = result.model_mesh.url;
  resultLine.replaceChildren();
  const link = document.createElement('a');
  link.href = result.model_mesh.url;
  link.download = result.model_mesh.file_name;
  link.textContent = `Download ${result.model_mesh.file_name} (${(result.model_mesh.file_size / 2 ** 20).toFixed(2)} MiB)`;
  const timings = Object.entries(result.timings)
    .map(([k, v]) => `${k} ${v.toFixed(1)} s`)
    .join(', ');
  resultLine.append(link, ` · seed ${result.seed} · ${timings}`);
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (running) return;
  hideError();
  clearIssues(form);
  const { endpoint, input } = buildInput();
  const checked = checkInput(endpoint, input);
  if (!checked.ok) {
    showIssues(form, checked.issues);
    showError('VALIDATION', '');
    return;
  }
  running = new AbortController();
  generateButton.disabled = true;
  cancelButton.disabled = false;
  progressLine.textContent = 'Starting…';
  try {
    const result = await currentClient().run(endpoint, input as never, {
      signal: running.signal,
      onProgress: (e) => (progressLine.textContent = formatProgress(e)),
    });
    progressLine.textContent = 'Done.';
    showResult(result);
    if (result.model_mesh.file_data) await showModel(result.model_mesh.file_data);
  } catch (error) {
    const code = error instanceof EngineError ? error.code : 'INTERNAL';
    progressLine.textContent = code === 'CANCELLED' ? 'Cancelled.' : 'Failed.';
    if (code !== 'CANCELLED') showError(code, (error as Error).message);
  } finally {
    running = null;
    generateButton.disabled = false;
    cancelButton.disabled = true;
  }
});

cancelButton.addEventListener('click', () => {
  running?.abort();
  progressLine.textContent = 'Cancelling after the current model call…';
});

/** Startup: what this browser offers and whether the model folder is there (no weights are downloaded). */
async function describeEnvironment(): Promise<void> {
  const parts: string[] = [];
  try {
    const caps = await currentClient().capabilities();
    parts.push(caps.adapter ? `WebGPU: ${caps.adapter.vendor || 'unknown vendor'} ${caps.adapter.architecture}`.trim() : `WebGPU unavailable (${caps.adapterError ?? 'no adapter'}): WASM will be used`);
  } catch (error) {
    parts.push(`worker failed: ${(error as Error).message}`);
  }
  try {
    const manifest = await loadManifest(currentClient().manifestUrl);
    parts.push(`model: ${manifest.name} (${manifest.dtype}, ${(manifestBytes(manifest) / 2 ** 30).toFixed(2)} GiB)`);
  } catch (error) {
    const missing = error instanceof ManifestError && error.kind === 'not_found';
    parts.push(missing ? 'model: not installed' : 'model: manifest invalid');
    showError(missing ? 'MODEL_MISSING' : 'MODEL_CORRUPT', (error as Error).message);
  }
  statusLine.textContent = parts.join(' · ');
}

modelsInput.addEventListener('change', () => {
  hideError();
  void describeEnvironment();
});
void describeEnvironment();
