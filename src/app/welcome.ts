// The first page when the chosen model folder has no models yet: not an error, but the two ways
// to set up — try the tiny demo models now (or make them with `npm run fixtures`), or convert the
// real TRELLIS weights — with the exact commands from the README.
import { h, renderAdvice } from './dom.ts';
import { CONVERT_COMMAND, FIXTURES_COMMAND } from './error-help.ts';

export interface WelcomeOptions {
  /** The folder that was looked for, as the visitor typed or linked it. */
  folder: string;
  /** Why it counts as absent (the manifest loader's message), shown folded away. */
  reason: string;
  /** The demo models are there: offer them with one click instead of the command. */
  demoAvailable: boolean;
  useDemo: () => void;
}

export class WelcomePanel {
  constructor(private readonly el: HTMLElement) {}

  show(opts: WelcomeOptions): void {
    const demo = h('div', { class: 'setup-path', 'data-path': 'demo' }, h('h3', {}, 'Try it now: tiny demo models'));
    const para = (text: string) => {
      const p = h('p');
      renderAdvice(text, p);
      return p;
    };
    if (opts.demoAvailable) {
      const button = h('button', { type: 'button', class: 'primary', id: 'use-demo' }, 'Use the tiny demo models');
      button.addEventListener('click', opts.useDemo);
      demo.append(para('They are installed. They run the whole pipeline in seconds, but have random weights: the mesh is noise, not your object.'), button);
    } else {
      demo.append(
        para(`Random weights in the real layout, a few MB: they run the whole pipeline in seconds, but the mesh is noise, not your object. Make them with \`${FIXTURES_COMMAND}\`, then reload this page.`),
      );
    }
    const convert = h(
      'div',
      { class: 'setup-path', 'data-path': 'convert' },
      h('h3', {}, 'Real results: convert the TRELLIS weights'),
      para('Downloads microsoft/TRELLIS-image-large and DINOv2 once (about 3.3 GB after conversion) and writes them where this site looks for them. A background-removal model lets plain photos work; see the README.'),
      para(`\`${CONVERT_COMMAND}\``),
      para('Then reload this page.'),
    );
    this.el.replaceChildren(
      h('h2', {}, 'Welcome to Trellis Web'),
      para(`Turn a picture into a textured 3-D model on this device; nothing is uploaded. The model weights are not part of the site, and there are none in \`${opts.folder}\` yet. Set them up in one of two ways:`),
      h('div', { class: 'setup-paths' }, demo, convert),
      h('details', { class: 'welcome-detail' }, h('summary', {}, 'What was looked for'), h('pre', {}, opts.reason)),
    );
    this.el.hidden = false;
  }

  hide(): void {
    this.el.hidden = true;
    this.el.replaceChildren();
  }

  get shown(): boolean {
    return !this.el.hidden;
  }
}
