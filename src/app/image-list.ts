// The input images: an ordered list (one image -> fal-ai/trellis, several -> fal-ai/trellis/multi)
// with thumbnails, reorder and remove. Files arrive by picker, drag and drop or paste; URLs by
// the URL field.
import { h } from './dom.ts';

export interface ImageEntry {
  id: number;
  source: File | string;
  label: string;
  /** What the thumbnail shows (an object URL for files). */
  preview: string;
  width?: number;
  height?: number;
  /** Fully opaque (no transparent background): needs background removal or "use as-is". */
  opaque?: boolean;
}

export class ImageList {
  private entries: ImageEntry[] = [];
  private nextId = 1;
  private readonly listeners = new Set<() => void>();

  get items(): readonly ImageEntry[] {
    return this.entries;
  }

  onChange(fn: () => void): void {
    this.listeners.add(fn);
  }

  private changed(): void {
    this.listeners.forEach((fn) => fn());
  }

  add(source: File | string, size?: { width: number; height: number; opaque?: boolean }): ImageEntry {
    const isFile = typeof source !== 'string';
    const entry: ImageEntry = {
      id: this.nextId++,
      source,
      label: isFile ? source.name || 'pasted image' : source.startsWith('data:') ? 'data: URL' : source,
      preview: isFile ? URL.createObjectURL(source) : source,
      ...size,
    };
    this.entries.push(entry);
    this.changed();
    return entry;
  }

  remove(id: number): void {
    const i = this.entries.findIndex((e) => e.id === id);
    if (i < 0) return;
    const [gone] = this.entries.splice(i, 1);
    if (gone && typeof gone.source !== 'string') URL.revokeObjectURL(gone.preview);
    this.changed();
  }

  /** Moves an entry by `delta` places (clamped to the list). */
  move(id: number, delta: number): void {
    const i = this.entries.findIndex((e) => e.id === id);
    const j = Math.max(0, Math.min(this.entries.length - 1, i + delta));
    if (i < 0 || i === j) return;
    const [item] = this.entries.splice(i, 1);
    this.entries.splice(j, 0, item!);
    this.changed();
  }

  clear(): void {
    for (const e of this.entries) if (typeof e.source !== 'string') URL.revokeObjectURL(e.preview);
    this.entries = [];
    this.changed();
  }
}

/** Renders the list as thumbnails with move/remove buttons. */
export function renderImageList(list: ImageList, container: HTMLElement): void {
  const n = list.items.length;
  container.replaceChildren(
    ...list.items.map((entry, i) => {
      const img = h('img', { src: entry.preview, alt: '', loading: 'lazy' });
      const caption = h('span', { class: 'thumb-label', title: entry.label }, n > 1 ? `${i + 1}. ${entry.label}` : entry.label);
      const button = (label: string, text: string, action: () => void, disabled = false) => {
        const b = h('button', { type: 'button', class: 'icon', 'aria-label': `${label} ${entry.label}`, title: label, disabled }, text);
        b.addEventListener('click', action);
        return b;
      };
      return h(
        'li',
        { class: 'thumb', 'data-image-id': entry.id },
        img,
        caption,
        h(
          'span',
          { class: 'thumb-actions' },
          button('Move earlier', '↑', () => list.move(entry.id, -1), i === 0),
          button('Move later', '↓', () => list.move(entry.id, 1), i === n - 1),
          button('Remove', '✕', () => list.remove(entry.id)),
        ),
      );
    }),
  );
  container.hidden = n === 0;
}
