// The results panel: stored generations, newest first, each with its input thumbnail, seed,
// timings and buttons to view it again, download the GLB, re-run with the same seed, or delete it.
// The view owns the object URLs it makes for stored blobs and revokes them when it redraws.
import type { TrellisResult } from '../api/types.ts';
import { h } from './dom.ts';
import { formatBytes, formatSeconds } from './format.ts';
import type { StoredResult } from './result-store.ts';

export function resultSummary(result: { seed: number; timings: Partial<TrellisResult['timings']>; model_mesh: { file_size: number } }): string {
  const t = result.timings;
  const total = (t.prepare ?? 0) + (t.generation ?? 0) + (t.export ?? 0);
  return `seed ${result.seed} · ${formatSeconds(total)} total (prepare ${formatSeconds(t.prepare ?? 0)}, generation ${formatSeconds(t.generation ?? 0)}, export ${formatSeconds(t.export ?? 0)}) · ${formatBytes(result.model_mesh.file_size)}`;
}

export interface HistoryActions {
  view(entry: StoredResult): void;
  rerun(entry: StoredResult): void;
  remove(entry: StoredResult): void;
}

export class HistoryView {
  private urls: string[] = [];

  constructor(
    private readonly list: HTMLElement,
    private readonly empty: HTMLElement,
    private readonly actions: HistoryActions,
  ) {}

  private url(blob: Blob): string {
    const url = URL.createObjectURL(blob);
    this.urls.push(url);
    return url;
  }

  render(entries: readonly StoredResult[]): void {
    this.urls.forEach((u) => URL.revokeObjectURL(u));
    this.urls = [];
    this.empty.hidden = entries.length > 0;
    this.list.replaceChildren(...entries.map((entry) => this.item(entry)));
  }

  private item(entry: StoredResult): HTMLLIElement {
    const button = (label: string, title: string, run: () => void, cls = 'secondary small') => {
      const b = h('button', { type: 'button', class: cls, title }, label);
      b.addEventListener('click', run);
      return b;
    };
    const download = h('a', { class: 'button secondary small', href: this.url(entry.glb), download: entry.fileName, title: `Download ${entry.fileName}` }, 'GLB');
    const thumb = entry.thumbnail ? h('img', { src: this.url(entry.thumbnail), alt: '' }) : h('span', { class: 'thumb-missing' }, '?');
    const summary = resultSummary({ seed: entry.seed, timings: entry.timings, model_mesh: { file_size: entry.glb.size } });
    return h(
      'li',
      { 'data-result-id': entry.id },
      thumb,
      h(
        'div',
        { class: 'history-text' },
        h('strong', {}, entry.inputLabel),
        h('small', {}, `${entry.modelName} · ${new Date(entry.createdAt).toLocaleString()}`),
        h('small', {}, summary),
      ),
      h(
        'span',
        { class: 'history-actions' },
        button('View', 'Show this result in the viewer', () => this.actions.view(entry)),
        download,
        button('Re-run', 'Put these parameters and this seed back into the form', () => this.actions.rerun(entry)),
        button('Delete', 'Delete this result from the browser', () => this.actions.remove(entry), 'danger small'),
      ),
    );
  }
}
