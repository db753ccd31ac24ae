// Library entry of the embeddable widget (vite.widget.config.ts -> trellis-generator.js): one ES
// module that defines <trellis-generator>. The pipeline worker is inlined, because a page cannot
// start a Worker from another origin's URL; onnxruntime-web's wasm is fetched from ./ort/ next to
// this module (../ort/ when built into the site, which ships the runtime once for both) unless
// the element has a wasm-url attribute.
import { createWorkerRunner } from '../api/worker-runner.ts';
import PipelineWorker from './pipeline-entry.worker.ts?worker&inline';
import { defineTrellisGenerator, TrellisGeneratorElement } from './trellis-generator.ts';

TrellisGeneratorElement.runnerFactory = ({ noCache }) => createWorkerRunner(() => new PipelineWorker({ name: `trellis-pipeline${noCache ? '+no-cache' : ''}` }));
// Resolved at run time against wherever the module is served from.
TrellisGeneratorElement.defaultWasmUrl = new URL(/* @vite-ignore */ import.meta.env.TRELLIS_WIDGET_ORT_DIR as string, import.meta.url).href;
defineTrellisGenerator();

export { TrellisGeneratorElement, defineTrellisGenerator, errorDetail } from './trellis-generator.ts';
export type { TrellisErrorDetail } from './trellis-generator.ts';
export type { TrellisResult, TrellisInput, TrellisMultiInput } from '../api/types.ts';
