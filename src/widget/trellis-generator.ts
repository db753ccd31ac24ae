// <trellis-generator>: the whole generator as one custom element in a shadow root. Attributes
// mirror fal's parameters plus models-url, image-url / image-urls, device and wasm-url; methods
// generate() and cancel(); events trellis-progress, trellis-result (fal's result shape) and
// trellis-error ({ code, message, detail }). All bubble and cross the shadow boundary.
import { createTrellis, type TrellisClient } from '../api/client.ts';
import { ENDPOINT_MULTI, ENDPOINT_SINGLE, type ImageInput, type TrellisResult } from '../api/types.ts';
import { ValidationError } from '../api/validation-error.ts';
import { EngineError } from '../engine/errors.ts';
import type { DevicePreference, ProgressEvent } from '../engine/protocol.ts';
import type { WorkerApi } from '../engine/worker-api.ts';
import type { MeshViewer } from '../viewer/index.ts';
import { progressText } from '../app/progress-view.ts';
import { describeModel } from '../app/model-info.ts';
import { loadManifest } from '../models/manifest.ts';
import { resolveManifestUrl } from '../api/client.ts';
import { imageUrlsFromAttribute, OTHER_ATTRIBUTES, PARAM_ATTRIBUTES, paramsFromAttributes } from './attributes.ts';
import { WIDGET_CSS } from './widget-style.ts';
import { createWorkerRunner } from '../api/worker-runner.ts';
import { cacheStorageUsable, NO_CACHE_NOTICE } from './storage-probe.ts';

/** The same-origin worker of a site build (embed.html); the library build replaces it with an inlined one. */
const siteRunner: RunnerFactory = ({ noCache }) =>
  createWorkerRunner(() => new Worker(new URL('./pipeline-entry.worker.ts', import.meta.url), { type: 'module', name: `trellis-pipeline${noCache ? '+no-cache' : ''}` }));

export interface TrellisErrorDetail {
  code: string;
  message: string;
  detail?: unknown;
}

/** Starts the engine worker; `noCache` asks for one that keeps model files in memory only. */
export type RunnerFactory = (options: { noCache: boolean }) => WorkerApi | Promise<WorkerApi>;

const DEFAULT_MODELS = './models/trellis-image-large/';

export class TrellisGeneratorElement extends HTMLElement {
  /** How the element starts its engine worker; the library build sets an inlined worker. */
  static runnerFactory: RunnerFactory = siteRunner;
  /** Default onnxruntime-web wasm folder when there is no wasm-url attribute. */
  static defaultWasmUrl: string | undefined;

  static get observedAttributes(): string[] {
    return [...PARAM_ATTRIBUTES, ...OTHER_ATTRIBUTES];
  }

  /** Images given from JavaScript (File, Blob, ImageBitmap or URL); they win over image-url(s). */
  image: ImageInput | ImageInput[] | null = null;
  /** The last successful result. */
  result: TrellisResult | null = null;

  private client: TrellisClient | null = null;
  private clientKey = '';
  private abort: AbortController | null = null;
  private viewer: MeshViewer | null = null;
  private readonly root: ShadowRoot;
  private readonly ui: {
    generate: HTMLButtonElement;
    cancel: HTMLButtonElement;
    status: HTMLElement;
    error: HTMLElement;
    download: HTMLAnchorElement;
    canvas: HTMLCanvasElement;
    empty: HTMLElement;
    input: HTMLImageElement;
    warning: HTMLElement;
  };
  /** Object URL of the input thumbnail when the input is a Blob (revoked when replaced). */
  private inputUrl: string | null = null;
  /** The manifest URL whose demo-model check is done or running. */
  private checkedModels = '';

  constructor() {
    super();
    this.root = this.attachShadow({ mode: 'open' });
    const style = document.createElement('style');
    style.textContent = WIDGET_CSS;
    const make = <K extends keyof HTMLElementTagNameMap>(tag: K, part: string, text = ''): HTMLElementTagNameMap[K] => {
      const el = document.createElement(tag);
      el.setAttribute('part', part);
      if (text) el.textContent = text;
      return el;
    };
    const stage = make('div', 'stage');
    const canvas = make('canvas', 'viewer');
    const empty = make('p', 'empty', 'The 3-D model appears here');
    const input = make('img', 'input');
    input.alt = 'input image';
    input.hidden = true;
    stage.append(canvas, empty, input);
    const warning = make('p', 'warning');
    warning.setAttribute('role', 'note');
    warning.hidden = true;
    const bar = make('div', 'bar');
    const generate = make('button', 'generate', 'Generate 3D');
    const cancel = make('button', 'cancel', 'Cancel');
    const status = make('span', 'status');
    status.setAttribute('aria-live', 'polite');
    const download = make('a', 'download', 'Download GLB');
    download.hidden = true;
    cancel.disabled = true;
    generate.type = cancel.type = 'button';
    bar.append(generate, cancel, status, download);
    const error = make('p', 'error');
    error.setAttribute('role', 'alert');
    error.hidden = true;
    this.root.append(style, warning, stage, bar, error);
    this.ui = { generate, cancel, status, error, download, canvas, empty, input, warning };
    generate.addEventListener('click', () => void this.generate().catch(() => undefined));
    cancel.addEventListener('click', () => this.cancel());
  }

  attributeChangedCallback(name: string): void {
    // A new model folder or device takes effect at the next generate(); drop the old engine now.
    if (name === 'models-url' && this.isConnected) void this.checkModels();
    if ((name === 'models-url' || name === 'device' || name === 'wasm-url') && this.client && !this.abort) {
      void this.client.dispose();
      this.client = null;
    }
  }

  connectedCallback(): void {
    void this.checkModels();
  }

  /**
   * Says up front when the model folder holds the random-weight demo models (their meshes are
   * noise). Best effort: a folder that cannot be read is reported by generate() with its code.
   */
  private async checkModels(): Promise<void> {
    let url: string;
    try {
      url = resolveManifestUrl(this.getAttribute('models-url') || DEFAULT_MODELS, document.baseURI);
    } catch {
      return;
    }
    if (url === this.checkedModels) return;
    this.checkedModels = url;
    const warning = await loadManifest(url)
      .then((m) => describeModel(m).warning)
      .catch(() => null);
    if (url !== this.checkedModels) return; // the folder changed meanwhile
    this.ui.warning.textContent = warning ?? '';
    this.ui.warning.hidden = !warning;
  }

  /** Shows the (first) input image in the corner of the stage, when it is something an <img> can show. */
  private showInput(image: unknown): void {
    if (this.inputUrl) URL.revokeObjectURL(this.inputUrl);
    this.inputUrl = image instanceof Blob ? URL.createObjectURL(image) : null;
    const src = this.inputUrl ?? (typeof image === 'string' ? image : null);
    this.ui.input.hidden = !src;
    if (src) this.ui.input.src = src;
  }

  disconnectedCallback(): void {
    this.cancel();
    // dispose() below revokes the blob: URLs this element's client made (the last result's too).
    this.ui.download.removeAttribute('href');
    this.viewer?.dispose();
    this.viewer = null;
    void this.client?.dispose();
    this.client = null;
  }

  get busy(): boolean {
    return this.abort !== null;
  }

  private storage: Promise<{ ok: true } | { ok: false; reason: string }> | null = null;

  private currentClient(noCache: boolean): TrellisClient {
    const modelsUrl = this.getAttribute('models-url') || DEFAULT_MODELS;
    const device = (this.getAttribute('device') || 'auto') as DevicePreference;
    const wasmUrl = this.getAttribute('wasm-url') || TrellisGeneratorElement.defaultWasmUrl;
    const key = JSON.stringify([modelsUrl, device, wasmUrl]);
    if (!this.client || key !== this.clientKey) {
      void this.client?.dispose();
      const factory = TrellisGeneratorElement.runnerFactory;
      this.client = createTrellis({
        modelsUrl,
        device,
        ...(wasmUrl ? { wasmPaths: new URL(wasmUrl, document.baseURI).href } : {}),
        runner: () => factory({ noCache }),
      });
      this.clientKey = key;
    }
    return this.client;
  }

  /** The fal input from attributes and the image property, with `overrides` on top. */
  buildInput(overrides: Record<string, unknown> = {}): { endpoint: typeof ENDPOINT_SINGLE | typeof ENDPOINT_MULTI; input: Record<string, unknown> } {
    const params: Record<string, unknown> = { ...paramsFromAttributes(this), ...overrides };
    let images: unknown[];
    if ('image_urls' in overrides) images = overrides.image_urls as unknown[];
    else if ('image_url' in overrides) images = [overrides.image_url];
    else if (this.image !== null) images = Array.isArray(this.image) ? this.image : [this.image];
    else {
      const many = imageUrlsFromAttribute(this.getAttribute('image-urls'));
      const one = this.getAttribute('image-url');
      images = many.length ? many : one ? [one] : [];
    }
    delete params.image_url;
    delete params.image_urls;
    if (images.length > 1 || 'image_urls' in overrides) return { endpoint: ENDPOINT_MULTI, input: { ...params, image_urls: images } };
    delete params.multiimage_algo;
    return { endpoint: ENDPOINT_SINGLE, input: { ...params, image_url: images[0] } };
  }

  private emit<T>(type: string, detail: T): void {
    this.dispatchEvent(new CustomEvent<T>(type, { detail, bubbles: true, composed: true }));
  }

  /**
   * Runs one generation. `overrides` are fal input fields (image_url / image_urls and any
   * parameter) that win over the attributes. Resolves with fal's result shape; rejects with the
   * same error the trellis-error event carries.
   */
  async generate(overrides: Record<string, unknown> = {}): Promise<TrellisResult> {
    if (this.abort) {
      const busy: TrellisErrorDetail = { code: 'BAD_REQUEST', message: 'a generation is already running in this <trellis-generator>; call cancel() first' };
      this.emit('trellis-error', busy);
      throw Object.assign(new Error(busy.message), busy);
    }
    const abort = new AbortController();
    this.abort = abort;
    this.ui.generate.disabled = true;
    this.ui.cancel.disabled = false;
    this.ui.error.hidden = true;
    this.ui.status.textContent = 'Starting…';
    this.setAttribute('state', 'running');
    try {
      const { endpoint, input } = this.buildInput(overrides);
      this.showInput('image_urls' in input ? (input.image_urls as unknown[])[0] : input.image_url);
      void this.checkModels();
      this.storage ??= cacheStorageUsable();
      const storage = await this.storage;
      if (!storage.ok) {
        const notice: ProgressEvent = { stage: 'load', message: `${NO_CACHE_NOTICE} (${storage.reason})` };
        console.warn(`trellis-generator: ${notice.message}`);
        this.emit('trellis-progress', notice);
      }
      const result = await this.currentClient(!storage.ok).run(endpoint, input as never, {
        signal: abort.signal,
        onProgress: (event: ProgressEvent) => {
          this.ui.status.textContent = progressText(event);
          this.emit('trellis-progress', event);
        },
      });
      // One live blob: URL per element: the previous result's URL is revoked (its file_data Blob
      // stays usable), otherwise every generation would pin its GLB for the page's lifetime.
      const previous = this.result;
      this.result = result;
      if (previous) this.client?.release(previous);
      this.ui.status.textContent = `Done · seed ${result.seed}`;
      this.setAttribute('state', 'done');
      this.emit('trellis-result', result);
      await this.show(result).catch((error) => console.warn('trellis-generator: preview failed:', error));
      return result;
    } catch (error) {
      const detail = errorDetail(error);
      this.setAttribute('state', detail.code === 'CANCELLED' ? 'cancelled' : 'error');
      this.ui.status.textContent = detail.code === 'CANCELLED' ? 'Cancelled' : 'Failed';
      if (detail.code !== 'CANCELLED') {
        this.ui.error.textContent = `${detail.code}: ${detail.message}`;
        this.ui.error.hidden = false;
      }
      this.emit('trellis-error', detail);
      throw Object.assign(error instanceof Error ? error : new Error(detail.message), { code: detail.code });
    } finally {
      this.abort = null;
      this.ui.generate.disabled = false;
      this.ui.cancel.disabled = true;
    }
  }

  /** Cancels the running generation (honoured between model calls). */
  cancel(): void {
    this.abort?.abort();
  }

  private async show(result: TrellisResult): Promise<void> {
    this.ui.download.href = result.model_mesh.url;
    this.ui.download.download = result.model_mesh.file_name;
    this.ui.download.hidden = false;
    if (!result.model_mesh.file_data) return;
    const { showMesh } = await import('../viewer/index.ts');
    this.viewer?.dispose();
    this.viewer = await showMesh(this.ui.canvas, new Uint8Array(await result.model_mesh.file_data.arrayBuffer()), { autoRotate: true });
    this.ui.empty.hidden = true;
  }
}

export function errorDetail(error: unknown): TrellisErrorDetail {
  if (error instanceof ValidationError) return { code: 'VALIDATION', message: error.message, detail: error.detail };
  if (error instanceof EngineError) return { code: error.code, message: error.message, ...(error.detail !== undefined ? { detail: error.detail } : {}) };
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
}

/** Registers the element once (a page may load the module twice). */
export function defineTrellisGenerator(name = 'trellis-generator'): void {
  if (!customElements.get(name)) customElements.define(name, name === 'trellis-generator' ? TrellisGeneratorElement : class extends TrellisGeneratorElement {});
}
