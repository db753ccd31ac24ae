// Tiny DOM helpers: element lookup that fails loudly, and an element builder that only ever sets
// text (never HTML), so nothing from a message, URL or file name can inject markup.

export function byId<T extends HTMLElement = HTMLElement>(id: string, root: Document | ShadowRoot = document): T {
  const el = root.getElementById(id);
  if (!el) throw new Error(`the page lacks #${id}`);
  return el as T;
}

type Attrs = Record<string, string | number | boolean | undefined>;

/** h('button', { type: 'button', class: 'x' }, 'text', child) — attributes, then text or nodes. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    el.setAttribute(k, v === true ? '' : String(v));
  }
  el.append(...children);
  return el;
}

/** Backtick spans become <code>, everything else stays text. */
export function renderAdvice(text: string, into: HTMLElement): void {
  text.split(/(`[^`]+`)/).forEach((part) => {
    if (part.length > 1 && part.startsWith('`') && part.endsWith('`')) into.append(h('code', {}, part.slice(1, -1)));
    else into.append(part);
  });
}
