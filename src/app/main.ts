// The site: images in (picker, drop, paste, URL), fal parameters, generate with live progress,
// the 3-D viewer, GLB download, stored results, model storage, offline support, and a welcome
// with the two set-up paths while there are no models.
import { createTrellis, type TrellisClient } from '../api/client.ts';
import { checkInput } from '../api/schema.ts';
import { ENDPOINT_MULTI, ENDPOINT_SINGLE, type TrellisResult } from '../api/types.ts';
import { EngineError } from '../engine/errors.ts';
import type { Capabilities, DevicePreference } from '../engine/protocol.ts';
import { loadManifest, ManifestError, type ManifestV1 } from '../models/manifest.ts';
import type { MeshViewer } from '../viewer/index.ts';
import { byId, h } from './dom.ts';
import { ErrorPanel, type ErrorAction } from './error-panel.ts';
import { errorHelp } from './error-help.ts';
import { formatBytes, formatSeconds } from './format.ts';
import { HistoryView, resultSummary } from './history.ts';
import { decodeCheck, imageTypeProblem, imageUrlProblem, opaqueImageNotice } from './image-check.ts';
import { ImageList, renderImageList } from './image-list.ts';
import { deleteCachedModels, listCachedModels, storageEstimate, verifyCachedModels } from './model-cache.ts';
import { describeModel } from './model-info.ts';
import { changedParamFields, clearIssues, PARAM_FIELD_NAMES, readParams, renderParamFields, setParamFields, showIssues } from './param-form.ts';
import { ProgressView } from './progress-view.ts';
import { ResultStore, type StoredResult } from './result-store.ts';
import { mergeSettings, readStoredSettings, settingsFromQuery, settingsToQuery, writeStoredSettings, type Settings } from './settings.ts';
import { registerServiceWorker } from './sw-register.ts';
import { makeThumbnail } from './thumbnail.ts';
import { WelcomePanel } from './welcome.ts';

const DEMO_MODELS = './models/tiny-random/';

const form = byId<HTMLFormElement>('form');
const fileInput = byId<HTMLInputElement>('images');
const dropzone = byId('dropzone');
const urlInput = byId<HTMLInputElement>('image_url');
const deviceSelect = byId<HTMLSelectElement>('device');
const modelsInput = byId<HTMLInputElement>('models');
const generateButton = byId<HTMLButtonElement>('generate');
const cancelButton = byId<HTMLButtonElement>('cancel');
const statusLine = byId('status');
const resultLine = byId('result');
const canvas = byId<HTMLCanvasElement>('viewer');
const downloadLink = byId<HTMLAnchorElement>('download');
const demoWarning = byId('demo-warning');
const notice = byId('notice');
const errors = new ErrorPanel(byId('error'));
const welcome = new WelcomePanel(byId('welcome'));
const useImageAsIs = byId<HTMLInputElement>('use-image-as-is');
const imageNotice = byId('image-notice');
const progress = new ProgressView({
  track: byId<HTMLOListElement>('stage-track'),
  line: byId('progress'),
  bar: byId<HTMLProgressElement>('download-bar'),
  barLabel: byId('download-label'),
  elapsed: byId('elapsed'),
});

renderParamFields(byId('params'));

// ---------------------------------------------------------------- settings that persist

const settingsStorage = (() => {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined; // storage disabled: choices then live in the URL only
  }
})();
applySettings(mergeSettings(readStoredSettings(settingsStorage), settingsFromQuery(location.search, PARAM_FIELD_NAMES)));

function applySettings(settings: Settings): void {
  if (settings.models) modelsInput.value = settings.models;
  if (settings.device && [...deviceSelect.options].some((o) => o.value === settings.device)) deviceSelect.value = settings.device;
  setParamFields(form, settings.params);
  saveSettings();
}

function currentSettings(): Settings {
  return { models: modelsInput.value.trim(), device: deviceSelect.value as DevicePreference, params: changedParamFields(form) };
}

/** Stores the choices and mirrors them into the URL (replaceState: no history entry per keystroke). */
function saveSettings(): void {
  const settings = currentSettings();
  writeStoredSettings(settingsStorage, settings);
  const search = settingsToQuery(settings, location.search, PARAM_FIELD_NAMES);
  if (search !== location.search) history.replaceState(history.state, '', `${location.pathname}${search}${location.hash}`);
}
// 'input' as well as 'change': a reload right after typing keeps what was typed.
for (const type of ['input', 'change']) byId('params').addEventListener(type, saveSettings);

// ---------------------------------------------------------------- client

let client: TrellisClient | null = null;
let clientKey = '';
let manifest: ManifestV1 | null = null;

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

// ---------------------------------------------------------------- images

const images = new ImageList();
const imageListEl = byId('image-list');
images.onChange(() => {
  renderImageList(images, imageListEl);
  updateMultiVisibility();
});

function intakeError(message: string): void {
  const slot = form.querySelector<HTMLElement>('[data-error-for="images"]')!;
  slot.textContent = message;
}

async function addFiles(files: Iterable<File>): Promise<void> {
  const problems: string[] = [];
  for (const file of files) {
    const typeProblem = imageTypeProblem(file.name || 'pasted file', file.type);
    if (typeProblem) {
      problems.push(typeProblem);
      continue;
    }
    try {
      const info = await decodeCheck(file, file.name || 'pasted image');
      images.add(file, info);
      if (info.opaque) showOpaqueNotice(file.name || 'pasted image');
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  intakeError(problems.join(' '));
}

/** Said when an opaque photo is added, not only after a failed generation. */
function showOpaqueNotice(name: string): void {
  const hasRemover = Boolean(manifest?.components.background_removal);
  imageNotice.textContent = opaqueImageNotice(name, hasRemover);
  imageNotice.dataset.kind = hasRemover ? 'info' : 'warning';
  imageNotice.hidden = false;
}
images.onChange(() => {
  if (!images.items.some((e) => e.opaque)) imageNotice.hidden = true;
});

fileInput.addEventListener('change', () => {
  void addFiles([...(fileInput.files ?? [])]).then(() => (fileInput.value = ''));
});

for (const type of ['dragenter', 'dragover'] as const) {
  document.addEventListener(type, (e) => {
    if (!e.dataTransfer?.types.includes('Files')) return;
    e.preventDefault();
    dropzone.classList.add('dragging');
  });
}
document.addEventListener('dragleave', (e) => {
  if (e.target === dropzone || !e.relatedTarget) dropzone.classList.remove('dragging');
});
document.addEventListener('drop', (e) => {
  dropzone.classList.remove('dragging');
  if (!e.dataTransfer) return;
  e.preventDefault();
  if (e.dataTransfer.files.length) void addFiles([...e.dataTransfer.files]);
  else {
    const text = e.dataTransfer.getData('text/uri-list') || e.dataTransfer.getData('text/plain');
    if (text) addUrl(text.trim().split('\n')[0]!.trim());
  }
});
document.addEventListener('paste', (e) => {
  const files = [...(e.clipboardData?.files ?? [])];
  if (files.length === 0) return; // plain text pastes into the focused field as usual
  e.preventDefault();
  void addFiles(files);
});
dropzone.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' || e.key === ' ') {
    e.preventDefault();
    fileInput.click();
  }
});

function addUrl(text: string): void {
  const problem = imageUrlProblem(text);
  const slot = form.querySelector<HTMLElement>('[data-error-for="image_url"]')!;
  slot.textContent = problem ?? '';
  if (problem) return;
  images.add(text);
  urlInput.value = '';
}
byId('add-url').addEventListener('click', () => addUrl(urlInput.value.trim()));
urlInput.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && urlInput.value.trim()) {
    e.preventDefault();
    addUrl(urlInput.value.trim());
  }
});

/** The images of the next request: the list, plus whatever is typed in the URL field. */
function requestImages(): (File | string)[] {
  const typed = urlInput.value.trim();
  return [...images.items.map((e) => e.source), ...(typed ? [typed] : [])];
}

function updateMultiVisibility(): void {
  const algo = form.querySelector<HTMLElement>('[data-field="multiimage_algo"]');
  if (algo) algo.hidden = requestImages().length < 2;
}
urlInput.addEventListener('input', updateMultiVisibility);

function buildInput(): { endpoint: typeof ENDPOINT_SINGLE | typeof ENDPOINT_MULTI; input: Record<string, unknown> } {
  const list = requestImages();
  const multi = list.length > 1;
  const input = readParams(form, multi);
  if (multi) return { endpoint: ENDPOINT_MULTI, input: { ...input, image_urls: list } };
  // Nothing given: the schema's own "required" message is shown.
  return { endpoint: ENDPOINT_SINGLE, input: { ...input, image_url: list[0] } };
}

// ---------------------------------------------------------------- viewer

let viewer: MeshViewer | null = null;
const rotate = byId<HTMLInputElement>('opt-rotate');
const wireframe = byId<HTMLInputElement>('opt-wireframe');
const texture = byId<HTMLInputElement>('opt-texture');
const background = byId<HTMLSelectElement>('opt-background');
const resetView = byId<HTMLButtonElement>('reset-view');
rotate.addEventListener('change', () => viewer?.setAutoRotate(rotate.checked));
wireframe.addEventListener('change', () => viewer?.setWireframe(wireframe.checked));
texture.addEventListener('change', () => viewer?.setTexture(texture.checked));
resetView.addEventListener('click', () => viewer?.frame());
background.addEventListener('change', () => void applyBackground());

async function applyBackground(): Promise<void> {
  if (!viewer) return;
  const { VIEWER_BACKGROUNDS } = await import('../viewer/index.ts');
  viewer.setBackground(VIEWER_BACKGROUNDS[background.value as keyof typeof VIEWER_BACKGROUNDS] ?? VIEWER_BACKGROUNDS.light);
}

/** Shows a GLB in the viewer and offers it for download; three.js is loaded only once there is something to show. */
async function showModel(glb: Blob, fileName: string): Promise<void> {
  const { showMesh, VIEWER_BACKGROUNDS } = await import('../viewer/index.ts');
  viewer?.dispose();
  viewer = null;
  viewer = await showMesh(canvas, new Uint8Array(await glb.arrayBuffer()), {
    autoRotate: rotate.checked,
    wireframe: wireframe.checked,
    texture: texture.checked,
    background: VIEWER_BACKGROUNDS[background.value as keyof typeof VIEWER_BACKGROUNDS] ?? VIEWER_BACKGROUNDS.light,
  });
  byId('viewer-empty').hidden = true;
  resetView.disabled = false;
  canvas.dataset.model = fileName;
  // The link owns its own object URL, independent of the result's (which its owner may revoke).
  if (downloadLink.href.startsWith('blob:')) URL.revokeObjectURL(downloadLink.href);
  downloadLink.href = URL.createObjectURL(glb);
  downloadLink.download = fileName;
  downloadLink.textContent = `Download GLB (${formatBytes(glb.size)})`;
  downloadLink.hidden = false;
}

// ---------------------------------------------------------------- stored results

const historyMessage = byId('history-message');
const resultStore: Promise<ResultStore | null> = ResultStore.open().catch((error: unknown) => {
  historyMessage.textContent = `Results cannot be kept in this browser (${(error as Error).message}); download the GLB to keep one.`;
  return null;
});
const historyView = new HistoryView(byId('history'), byId('history-empty'), {
  view: (entry) => void showModel(entry.glb, entry.fileName),
  rerun: (entry) => {
    modelsInput.value = entry.modelsFolder;
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(entry.params)) if (PARAM_FIELD_NAMES.includes(k) && v !== undefined && v !== null) params[k] = String(v);
    setParamFields(form, { ...params, seed: String(entry.seed) });
    saveSettings();
    void describeEnvironment();
    historyMessage.textContent = `Parameters and seed ${entry.seed} of "${entry.inputLabel}" are in the form: add the image again and press Generate.`;
    form.scrollIntoView({ behavior: 'smooth', block: 'start' });
  },
  remove: async (entry) => {
    const store = await resultStore;
    await store?.delete(entry.id);
    historyMessage.textContent = `Deleted ${entry.fileName} (${entry.inputLabel}).`;
    await refreshHistory();
  },
});
let storedResults: StoredResult[] = [];

async function refreshHistory(): Promise<void> {
  const store = await resultStore;
  storedResults = store ? await store.list() : [];
  historyView.render(storedResults);
}

async function keepResult(result: TrellisResult, inputs: (File | string)[], endpoint: string, input: Record<string, unknown>): Promise<void> {
  const store = await resultStore;
  if (!store || !result.model_mesh.file_data) return;
  const first = inputs[0]!;
  const entry = images.items.find((e) => e.source === first);
  const { image_url: _one, image_urls: _many, ...params } = input;
  try {
    const { evicted } = await store.add({
      createdAt: Date.now(),
      seed: result.seed,
      fileName: result.model_mesh.file_name,
      glb: result.model_mesh.file_data,
      thumbnail: await makeThumbnail(first),
      endpoint,
      params,
      inputLabel: inputs.length > 1 ? `${inputs.length} images` : (entry?.label ?? (typeof first === 'string' ? (first.startsWith('data:') ? 'data: URL' : first) : 'image')),
      modelName: manifest?.name ?? modelsInput.value,
      modelsFolder: modelsInput.value,
      timings: result.timings as Record<string, number>,
    });
    historyMessage.textContent = evicted.length ? `Deleted the ${evicted.length} oldest stored result(s) to stay within the storage limit.` : '';
  } catch (error) {
    historyMessage.textContent = `This result could not be stored (${(error as Error).message}); download the GLB to keep it.`;
  }
  await refreshHistory();
}

// ---------------------------------------------------------------- generate

let running: AbortController | null = null;

function errorActions(code: string): ErrorAction[] {
  const actions: ErrorAction[] = [];
  if ((code === 'WEBGPU_UNAVAILABLE' || code === 'OUT_OF_MEMORY' || code === 'DEVICE_LOST') && deviceSelect.value !== 'wasm') {
    actions.push({
      label: 'Use WASM (CPU, slow) instead',
      run: () => {
        deviceSelect.value = 'wasm';
        saveSettings();
        errors.hide();
        form.requestSubmit();
      },
    });
  }
  if (errorHelp(code).offerImageAsIs) {
    actions.push({
      label: 'Use the image as-is (no background removal)',
      run: () => {
        useImageAsIs.checked = true;
        errors.hide();
        form.requestSubmit();
      },
    });
  }
  if ((code === 'MODEL_MISSING' || code === 'MODEL_CORRUPT') && demoAvailable && modelsInput.value !== DEMO_MODELS) {
    actions.push({ label: 'Try the tiny demo models (output is noise)', run: () => switchModels(DEMO_MODELS) });
  }
  return actions;
}

function showEngineError(error: unknown): string {
  const code = error instanceof EngineError ? error.code : 'INTERNAL';
  if (code !== 'CANCELLED') errors.show(code, (error as Error).message, errorActions(code));
  return code;
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (running) return;
  errors.hide();
  clearIssues(form);
  const { endpoint, input } = buildInput();
  const checked = checkInput(endpoint, input);
  if (!checked.ok) {
    showIssues(form, checked.issues);
    errors.show('VALIDATION', '');
    form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
    return;
  }
  const inputs = requestImages();
  const asIs = useImageAsIs.checked;
  running = new AbortController();
  generateButton.disabled = true;
  cancelButton.disabled = false;
  document.body.dataset.busy = 'true';
  progress.start();
  try {
    const result = await currentClient().run(endpoint, input as never, {
      signal: running.signal,
      onProgress: (e) => progress.update(e),
      ...(asIs ? { useImageAsIs: true } : {}),
    });
    // "Done." only once the model is in the viewer and the download link exists.
    byId('progress').textContent = 'Showing the result…';
    if (result.model_mesh.file_data) await showModel(result.model_mesh.file_data, result.model_mesh.file_name);
    resultLine.textContent = resultSummary(result);
    resultLine.dataset.seed = String(result.seed);
    progress.finish('Done.', 'done');
    // The stored copy and the viewer hold the GLB bytes; the client's blob: URL is released.
    void keepResult(result, inputs, endpoint, input).finally(() => currentClient().release(result));
  } catch (error) {
    const code = showEngineError(error);
    progress.finish(code === 'CANCELLED' ? 'Cancelled.' : 'Failed.', code === 'CANCELLED' ? 'cancelled' : 'failed');
  } finally {
    running = null;
    generateButton.disabled = false;
    cancelButton.disabled = true;
    delete document.body.dataset.busy;
    void refreshStorage();
  }
});

cancelButton.addEventListener('click', () => {
  running?.abort();
  byId('progress').textContent = 'Cancelling after the current model call…';
});

// ---------------------------------------------------------------- storage panel

const storageList = byId('storage-list');
const storageMessage = byId('storage-message');

async function refreshStorage(): Promise<void> {
  try {
    const folders = await listCachedModels();
    const total = folders.reduce((s, f) => s + f.bytes, 0);
    byId('storage-summary').textContent = folders.length ? `${formatBytes(total)} stored` : 'nothing stored';
    storageList.replaceChildren(
      ...folders.map((f) => {
        const del = h('button', { type: 'button', class: 'danger small' }, 'Delete');
        del.addEventListener('click', async () => {
          const n = await deleteCachedModels(f.folder);
          storageMessage.textContent = `Deleted ${n} files of ${f.folder}.`;
          void refreshStorage();
        });
        return h('li', {}, h('span', {}, h('code', {}, new URL(f.folder).pathname), ` ${f.files} files · ${formatBytes(f.bytes)}`), del);
      }),
    );
    const estimate = await storageEstimate();
    byId('storage-estimate').textContent = estimate ? `This site uses ${formatBytes(estimate.usage)} of ${formatBytes(estimate.quota)} the browser allows.` : '';
  } catch (error) {
    storageMessage.textContent = `Storage is not available here: ${(error as Error).message}`;
  }
}

byId('storage').addEventListener('toggle', () => void refreshStorage());
byId('storage-clear').addEventListener('click', async () => {
  const n = await deleteCachedModels();
  storageMessage.textContent = `Deleted ${n} stored model files. They are downloaded again on the next generation.`;
  // The worker may hold verified copies in memory; a fresh client reads from the network again.
  await client?.dispose();
  client = null;
  void refreshStorage();
});
byId('storage-verify').addEventListener('click', async () => {
  if (!manifest) {
    storageMessage.textContent = 'No model set is loaded: nothing to check.';
    return;
  }
  storageMessage.textContent = 'Checking…';
  const report = await verifyCachedModels(manifest, currentClient().manifestUrl);
  if (report.removed.length) {
    // The worker may hold the old bytes; a fresh one fetches the deleted files again.
    await client?.dispose();
    client = null;
  }
  storageMessage.textContent =
    `${report.ok.length} files intact` +
    (report.missing.length ? `, ${report.missing.length} not downloaded yet` : '') +
    (report.removed.length ? `, ${report.removed.length} damaged and deleted (fetched again on next use): ${report.removed.join(', ')}` : '') +
    '.';
  void refreshStorage();
});
byId('storage-download').addEventListener('click', async () => {
  if (running) return;
  errors.hide();
  progress.start('Downloading models…');
  // A fresh worker re-checks every stored file (size, then sha256 when read) instead of trusting
  // the one that is already loaded.
  await client?.dispose();
  client = null;
  try {
    const info = await currentClient().load({ onProgress: (e) => progress.update(e) });
    progress.finish(`Models ready: ${info.name} (${formatBytes(info.bytes)}, ${info.backend}).`, 'done');
  } catch (error) {
    showEngineError(error);
    progress.finish('Failed.', 'failed');
  }
  void refreshStorage();
});

// ---------------------------------------------------------------- startup

let demoAvailable = false;

async function switchModels(folder: string): Promise<void> {
  modelsInput.value = folder;
  saveSettings();
  errors.hide();
  await describeEnvironment();
}

function showWebGpuNotice(caps: Capabilities): void {
  const reason = caps.webgpuApi ? `WebGPU is exposed but no GPU adapter is available${caps.adapterError ? ` (${caps.adapterError})` : ''}.` : 'This browser does not offer WebGPU.';
  const button = h('button', { type: 'button', class: 'secondary small' }, 'Use WASM (CPU)');
  button.addEventListener('click', () => {
    deviceSelect.value = 'wasm';
    notice.hidden = true;
    saveSettings();
    updateEngineSummary();
  });
  notice.replaceChildren(
    h('strong', {}, 'No WebGPU. '),
    `${reason} Generation can run on the CPU with WebAssembly instead: it works, but a real model takes many minutes instead of about one. `,
    button,
  );
  notice.dataset.kind = 'webgpu-missing';
  notice.hidden = false;
}

function updateEngineSummary(): void {
  byId('engine-summary').textContent = `${deviceSelect.value} · ${modelsInput.value.replace(/^\.\/models\//, '').replace(/\/$/, '')}`;
}

async function probeDemo(): Promise<boolean> {
  try {
    await loadManifest(new URL(`${DEMO_MODELS}manifest.json`, location.href).href);
    return true;
  } catch {
    return false;
  }
}

/** What this browser offers and whether the model folder is there (no weights are downloaded). */
async function describeEnvironment(): Promise<void> {
  updateEngineSummary();
  const parts: string[] = [];
  try {
    const caps = await currentClient().capabilities();
    if (caps.adapter) parts.push(`WebGPU: ${`${caps.adapter.vendor || 'unknown vendor'} ${caps.adapter.architecture}`.trim()}`);
    else {
      parts.push('WebGPU unavailable: WASM will be used');
      if (deviceSelect.value !== 'wasm') showWebGpuNotice(caps);
    }
  } catch (error) {
    parts.push(`worker failed: ${(error as Error).message}`);
  }
  demoWarning.hidden = true;
  welcome.hide();
  manifest = null;
  try {
    manifest = await loadManifest(currentClient().manifestUrl);
    const info = describeModel(manifest);
    parts.push(info.summary);
    if (info.warning) {
      demoWarning.textContent = info.warning;
      demoWarning.hidden = false;
    }
  } catch (error) {
    const missing = error instanceof ManifestError && error.kind === 'not_found';
    parts.push(missing ? 'model: not installed' : 'model: manifest invalid');
    demoAvailable = await probeDemo();
    // No models yet is the normal first visit: a welcome with the set-up paths, not an error.
    if (missing) welcome.show({ folder: modelsInput.value, reason: (error as Error).message, demoAvailable, useDemo: () => void switchModels(DEMO_MODELS) });
    else errors.show('MODEL_CORRUPT', (error as Error).message, errorActions('MODEL_CORRUPT'));
  }
  statusLine.textContent = parts.join(' · ');
}

modelsInput.addEventListener('change', () => {
  saveSettings();
  errors.hide();
  void describeEnvironment();
});
deviceSelect.addEventListener('change', () => {
  saveSettings();
  updateEngineSummary();
});

void registerServiceWorker((state, detail) => {
  const text: Record<string, string> = {
    ready: 'Works offline: the app is stored in this browser.',
    installing: 'Preparing offline use…',
    unsupported: 'Offline use is not supported in this browser.',
    failed: `Offline use unavailable (${detail ?? 'service worker failed'}).`,
    dev: '',
  };
  const el = byId('offline-state');
  el.textContent = text[state] ?? '';
  el.dataset.state = state;
});

void describeEnvironment();
void refreshStorage();
void refreshHistory();

// For the console and end-to-end tests.
(globalThis as { trellisApp?: unknown }).trellisApp = {
  get client() {
    return currentClient();
  },
  /** Stored results, newest first. */
  get history() {
    return storedResults.map((e) => ({ seed: e.seed, file: e.fileName, size: e.glb.size }));
  },
  images,
  formatSeconds,
};
