// This session's results: newest first, each with its input thumbnail, seed, timings, and
// buttons to show it again or download it. Object URLs live until the tab closes.
import type { TrellisResult } from '../api/types.ts';
import { h } from './dom.ts';
import { formatBytes, formatSeconds } from './format.ts';

export interface HistoryEntry {
  index: number;
  result: TrellisResult;
  inputPreview: string | null;
  inputLabel: string;
  modelName: string;
  at: Date;
}

export function resultSummary(result: TrellisResult): string {
  const t = result.timings;
  const total = (t.prepare ?? 0) + (t.generation ?? 0) + (t.export ?? 0);
  return `seed ${result.seed} · ${formatSeconds(total)} total (prepare ${formatSeconds(t.prepare)}, generation ${formatSeconds(t.generation)}, export ${formatSeconds(t.export)}) · ${formatBytes(result.model_mesh.file_size)}`;
}

export function renderHistory(entries: readonly HistoryEntry[], list: HTMLElement, empty: HTMLElement, onShow: (e: HistoryEntry) => void): void {
  empty.hidden = entries.length > 0;
  list.replaceChildren(
    ...[...entries].reverse().map((entry) => {
      const show = h('button', { type: 'button', class: 'secondary small' }, 'View');
      show.addEventListener('click', () => onShow(entry));
      const download = h('a', { class: 'button secondary small', href: entry.result.model_mesh.url, download: entry.result.model_mesh.file_name }, 'GLB');
      const thumb = entry.inputPreview ? h('img', { src: entry.inputPreview, alt: '' }) : h('span', { class: 'thumb-missing' }, '?');
      return h(
        'li',
        { 'data-history-index': entry.index },
        thumb,
        h('div', { class: 'history-text' }, h('strong', {}, `#${entry.index} · ${entry.inputLabel}`), h('small', {}, `${entry.modelName} · ${resultSummary(entry.result)}`)),
        h('span', { class: 'history-actions' }, show, download),
      );
    }),
  );
}
