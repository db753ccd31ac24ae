import type { ProgressEvent } from '../engine/protocol.ts';

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/** One human-readable line for a progress event (queue logs, the site's progress line). */
export function formatProgress(event: ProgressEvent): string {
  const parts: string[] = [event.stage.replaceAll('_', ' ')];
  if (event.step !== undefined && event.steps !== undefined) parts.push(`step ${event.step}/${event.steps}`);
  if (event.loaded !== undefined && event.total !== undefined && event.total > 0) {
    const pct = Math.round((100 * event.loaded) / event.total);
    parts.push(event.stage === 'download' ? `${mib(event.loaded)} of ${mib(event.total)} (${pct}%)` : `${event.loaded}/${event.total}`);
  }
  if (event.message) parts.push(event.message);
  if (event.elapsed !== undefined) parts.push(`[${event.elapsed.toFixed(1)} s]`);
  return parts.join(' · ');
}
