// Background removal with a transformers.js image-segmentation model (RMBG, BiRefNet, MODNet...)
// loaded only from the model folder (no hub access).
// One ORT instance: transformers.js takes the runtime registered under
// Symbol.for('onnxruntime') when there is one, so the engine's onnxruntime-web serves it in
// browsers and in Node alike (without it, Node would load onnxruntime-node, whose native binary
// the install skips). Execution providers are then passed explicitly, because transformers.js
// only maps `device` names for the runtimes it picked itself. Its import also writes ORT's
// global env (a CDN wasmPaths when none is set, logLevel); those are put back so ORT never
// reaches for the network and the engine's log reading keeps working.
import { EngineError } from '../errors.ts';
import type { RgbaImage } from '../image/rgba-image.ts';
import type { BackgroundRemover } from '../preprocess/preprocess-image.ts';
import { ort, type OrtBackend } from '../ort/ort-runtime.ts';

type TransformersModule = typeof import('@huggingface/transformers');

const ORT_SYMBOL = Symbol.for('onnxruntime');

const isNode = typeof process !== 'undefined' && Boolean(process.versions?.node);

type SessionOptions = Parameters<typeof ort.InferenceSession.create>[1];

/**
 * In Node transformers.js hands the runtime file paths (what onnxruntime-node wants) and keeps
 * external data to itself; onnxruntime-web needs bytes. Read them, with the
 * `<model>.onnx_data[_i]` files transformers.js's exporter writes next to the graph.
 */
async function createFromPath(file: string, options: SessionOptions) {
  const fsName = 'node:fs/promises';
  const pathName = 'node:path';
  const fs = (await import(/* @vite-ignore */ fsName)) as typeof import('node:fs/promises');
  const path = (await import(/* @vite-ignore */ pathName)) as typeof import('node:path');
  const externalData: { path: string; data: Uint8Array }[] = [];
  for (let i = 0; ; i++) {
    const name = `${path.basename(file)}_data${i === 0 ? '' : `_${i}`}`;
    const data = await fs.readFile(path.join(path.dirname(file), name)).catch(() => null);
    if (!data) break;
    externalData.push({ path: name, data: new Uint8Array(data) });
  }
  const model = new Uint8Array(await fs.readFile(file));
  return ort.InferenceSession.create(model, { ...options, ...(externalData.length ? { externalData } : {}) });
}

/** The engine's ORT as transformers.js sees it (Node: paths become bytes). */
const sharedOrt = isNode
  ? {
      ...ort,
      InferenceSession: {
        create: (model: unknown, options: SessionOptions) =>
          typeof model === 'string' ? createFromPath(model, options) : ort.InferenceSession.create(model as Uint8Array, options),
      },
    }
  : ort;

async function importTransformers(): Promise<TransformersModule> {
  const g = globalThis as Record<symbol, unknown>;
  if (g[ORT_SYMBOL] !== undefined && g[ORT_SYMBOL] !== sharedOrt) {
    throw new EngineError('INTERNAL', 'background_removal: another ONNX Runtime is registered under Symbol.for("onnxruntime"); transformers.js would not share the engine\'s');
  }
  g[ORT_SYMBOL] = sharedOrt;
  const wasmPaths = ort.env.wasm.wasmPaths;
  const logLevel = ort.env.logLevel;
  const tf = await import('@huggingface/transformers');
  ort.env.wasm.wasmPaths = wasmPaths;
  ort.env.logLevel = logLevel;
  tf.env.allowRemoteModels = false;
  tf.env.allowLocalModels = true;
  return tf;
}

/** transformers.js joins localModelPath + model id; in Node it reads paths, not file: URLs. */
function splitModelUrl(modelUrl: string): { root: string; id: string } {
  const trimmed = modelUrl.replace(/\/$/, '');
  const cut = trimmed.lastIndexOf('/');
  let root = trimmed.slice(0, cut + 1);
  if (root.startsWith('file:')) root = decodeURIComponent(new URL(root).pathname);
  return { root, id: trimmed.slice(cut + 1) };
}

type Segmenter = (image: unknown) => Promise<unknown>;

/** One pipeline per model, backend and dtype: the engine asks for a remover on every generation. */
const segmenters = new Map<string, Promise<Segmenter>>();

/** transformers.js's model classes for its 'background-removal' task, tried in its order. */
function segmentationModelClass(tf: TransformersModule, modelType: string, modelUrl: string) {
  const candidates = [tf.AutoModelForImageSegmentation, tf.AutoModelForSemanticSegmentation, tf.AutoModelForUniversalSegmentation];
  const found = candidates.find((c) => c.supports(modelType));
  if (!found) throw new Error(`config.json model_type "${modelType}" is not an image-segmentation model transformers.js knows (${modelUrl})`);
  return found;
}

/**
 * The background-removal pipeline built from its parts rather than with tf.pipeline(): pipeline()
 * first probes which files exist, and for a local model path that is an http(s) URL (the browser
 * case) that probe skips the local check and, with remote models off, reports every file missing,
 * so the pipeline came up without its image processor ("this.processor is not a function").
 * Loading the config, processor and model directly fetches exactly those files.
 */
async function loadSegmenter(tf: TransformersModule, modelUrl: string, cfg: { dtype?: string }, backend: OrtBackend): Promise<Segmenter> {
  const { root, id } = splitModelUrl(modelUrl);
  tf.env.localModelPath = root;
  const options = {
    // With a registered runtime transformers.js knows no device names; 'auto' maps to none
    // and leaves our executionProviders in place.
    device: 'auto' as const,
    dtype: (cfg.dtype ?? 'fp32') as 'fp32',
    local_files_only: true,
    session_options: { executionProviders: [backend] },
  };
  try {
    const config = await tf.AutoConfig.from_pretrained(id, options);
    const modelClass = segmentationModelClass(tf, (config as { model_type: string }).model_type, modelUrl);
    const [processor, model] = await Promise.all([tf.AutoProcessor.from_pretrained(id, options), modelClass.from_pretrained(id, { ...options, config })]);
    return new tf.BackgroundRemovalPipeline({ task: 'background-removal', model, processor } as never) as never;
  } catch (error) {
    throw new EngineError('MODEL_CORRUPT', `background_removal: transformers.js could not load the model at ${modelUrl}: ${(error as Error).message}`, { cause: error });
  }
}

/** Releases every cached pipeline's ORT sessions (engine dispose, lost device). */
export async function releaseTransformersRemovers(): Promise<void> {
  const pending = [...segmenters.values()];
  segmenters.clear();
  for (const p of pending) {
    const segmenter = await p.catch(() => null);
    await (segmenter as { dispose?: () => Promise<unknown> } | null)?.dispose?.().catch(() => undefined);
  }
}

export async function transformersRemover(modelUrl: string, cfg: { dtype?: string }, backend: OrtBackend): Promise<BackgroundRemover> {
  const tf = await importTransformers();
  const key = `${backend} ${cfg.dtype ?? 'fp32'} ${modelUrl}`;
  let pending = segmenters.get(key);
  if (!pending) {
    pending = loadSegmenter(tf, modelUrl, cfg, backend);
    segmenters.set(key, pending);
    pending.catch(() => segmenters.delete(key));
  }
  const segmenter = await pending;
  return async (rgb: RgbaImage) => {
    const image = new tf.RawImage(new Uint8ClampedArray(rgb.data), rgb.width, rgb.height, 4);
    const result = (await segmenter(image)) as { data: Uint8ClampedArray | Uint8Array; width: number; height: number; channels: number }[] | { data: Uint8Array; width: number; height: number; channels: number };
    const out = Array.isArray(result) ? result[0] : result;
    if (!out || out.width !== rgb.width || out.height !== rgb.height || out.channels !== 4) {
      throw new EngineError('INTERNAL', `background_removal: the transformers.js pipeline returned an unexpected image (${out?.width}x${out?.height}x${out?.channels})`);
    }
    const mask = new Uint8Array(rgb.width * rgb.height);
    for (let p = 0; p < mask.length; p++) mask[p] = out.data[p * 4 + 3];
    return mask;
  };
}
