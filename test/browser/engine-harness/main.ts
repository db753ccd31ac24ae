// Browser test harness page: starts the harness worker and exposes it as globalThis.engineHarness.
import * as Comlink from 'comlink';
import type { HarnessApi } from './harness.worker.ts';

const worker = new Worker(new URL('./harness.worker.ts', import.meta.url), { type: 'module' });
(globalThis as unknown as { engineHarness: Comlink.Remote<HarnessApi> }).engineHarness = Comlink.wrap<HarnessApi>(worker);
document.getElementById('status')!.textContent = 'ready';
