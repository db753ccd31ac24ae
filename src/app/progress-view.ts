// The progress area: a track of pipeline stages (done / current), the current stage with step i/n,
// elapsed time, and a byte bar while model files download.
import type { ProgressEvent, Stage } from '../engine/protocol.ts';
import { h } from './dom.ts';
import { formatBytes, formatSeconds, STAGE_LABELS, SUBSTAGE_LABELS, TRACK_STAGES, trackStageOf } from './format.ts';

export interface ProgressElements {
  track: HTMLOListElement;
  line: HTMLElement;
  bar: HTMLProgressElement;
  barLabel: HTMLElement;
  elapsed: HTMLElement;
}

/** The text of the progress line for one event (unit-tested; no DOM). */
export function progressText(event: ProgressEvent): string {
  const track = trackStageOf(event.stage);
  const parts = [STAGE_LABELS[track] ?? event.stage];
  if (track !== event.stage) parts.push(SUBSTAGE_LABELS[event.stage] ?? STAGE_LABELS[event.stage] ?? event.stage);
  if (event.step !== undefined && event.steps !== undefined) parts.push(event.stage === 'download' ? `file ${event.step}/${event.steps}` : `step ${event.step}/${event.steps}`);
  if (event.stage !== 'download' && event.loaded !== undefined && event.total) parts.push(`${Math.round((100 * event.loaded) / event.total)}%`);
  if (event.message && event.stage !== 'download') parts.push(event.message);
  return parts.join(' · ');
}

export class ProgressView {
  private started = 0;
  private timer: ReturnType<typeof setInterval> | null = null;
  private reached = new Set<Stage>();

  constructor(private readonly el: ProgressElements) {
    el.track.replaceChildren(...TRACK_STAGES.map((s) => h('li', { 'data-stage': s }, STAGE_LABELS[s])));
    el.bar.hidden = true;
    el.barLabel.hidden = true;
  }

  start(message = 'Starting…'): void {
    this.started = performance.now();
    this.reached.clear();
    this.el.track.querySelectorAll('li').forEach((li) => li.removeAttribute('data-state'));
    this.el.track.hidden = false;
    this.el.line.textContent = message;
    this.tick();
    this.timer ??= setInterval(() => this.tick(), 250);
  }

  private tick(): void {
    this.el.elapsed.textContent = formatSeconds((performance.now() - this.started) / 1000);
  }

  update(event: ProgressEvent): void {
    const stage = trackStageOf(event.stage);
    const idx = TRACK_STAGES.indexOf(stage);
    if (idx >= 0) {
      this.el.track.querySelectorAll<HTMLLIElement>('li').forEach((li, i) => {
        if (i < idx) li.dataset.state = this.reached.has(TRACK_STAGES[i]!) ? 'done' : 'skipped';
        else if (i === idx) li.dataset.state = 'current';
      });
      this.reached.add(stage);
    }
    this.el.line.textContent = progressText(event);
    const downloading = event.stage === 'download' && event.total !== undefined && event.total > 0;
    this.el.bar.hidden = !downloading;
    this.el.barLabel.hidden = !downloading;
    if (downloading) {
      this.el.bar.max = event.total!;
      this.el.bar.value = event.loaded ?? 0;
      this.el.barLabel.textContent = `${formatBytes(event.loaded ?? 0)} of ${formatBytes(event.total!)}${event.message ? ` · ${event.message}` : ''}`;
    }
  }

  finish(text: string, state: 'done' | 'failed' | 'cancelled'): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.tick();
    this.el.line.textContent = text;
    this.el.bar.hidden = true;
    this.el.barLabel.hidden = true;
    this.el.track.querySelectorAll<HTMLLIElement>('li').forEach((li) => {
      if (li.dataset.state === 'current') li.dataset.state = state === 'done' ? 'done' : state;
    });
  }
}
