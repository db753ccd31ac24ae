// The error panel: a title for the error code, what to do next, the engine's own message, and
// optional action buttons (switch to WASM, use the demo models).
import { h, renderAdvice } from './dom.ts';
import { errorHelp } from './error-help.ts';

export interface ErrorAction {
  label: string;
  run: () => void;
}

export class ErrorPanel {
  constructor(private readonly el: HTMLElement) {}

  show(code: string, message: string, actions: ErrorAction[] = []): void {
    const help = errorHelp(code);
    const title = h('h2', {}, `${help.title}${code !== 'VALIDATION' ? ` (${code})` : ''}`);
    this.el.replaceChildren(title);
    for (const advice of help.advice) {
      const p = h('p');
      renderAdvice(advice, p);
      this.el.append(p);
    }
    if (message) this.el.append(h('pre', { class: 'error-message' }, message));
    if (actions.length) {
      const row = h('div', { class: 'actions' });
      for (const action of actions) {
        const b = h('button', { type: 'button', class: 'secondary' }, action.label);
        b.addEventListener('click', action.run);
        row.append(b);
      }
      this.el.append(row);
    }
    this.el.dataset.code = code;
    this.el.hidden = false;
  }

  hide(): void {
    this.el.hidden = true;
    this.el.replaceChildren();
    delete this.el.dataset.code;
  }

  get code(): string | undefined {
    return this.el.hidden ? undefined : this.el.dataset.code;
  }
}
