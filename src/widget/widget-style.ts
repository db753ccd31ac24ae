// The element's shadow-root styles. Hosts restyle it with ::part(stage|viewer|input|warning|bar|
// generate|cancel|status|download|error) and the custom properties below.
export const WIDGET_CSS = `
:host { display: block; font: 14px/1.4 system-ui, sans-serif; color: #1c2330; border: 1px solid #dde1e8; border-radius: var(--trellis-radius, 10px); overflow: hidden; background: #fff; }
:host([hidden]) { display: none; }
[part='stage'] { position: relative; background: linear-gradient(#f7f8fa, #e9ecf1); }
[part='viewer'] { display: block; width: 100%; aspect-ratio: var(--trellis-aspect, 4 / 3); touch-action: none; }
[part='empty'] { position: absolute; inset: 0; margin: 0; display: grid; place-items: center; color: #5d6675; pointer-events: none; }
/* An author display rule beats the UA's [hidden] { display: none }: without this the
   placeholder stayed drawn over the finished model. */
[hidden] { display: none !important; }
[part='input'] { position: absolute; left: 0.5rem; bottom: 0.5rem; width: 56px; height: 56px; object-fit: contain; border-radius: 6px; border: 1px solid #dde1e8; background: rgb(255 255 255 / 0.85); }
[part='warning'] { margin: 0; padding: 0.45rem 0.7rem; background: #fff6dc; border-bottom: 1px solid #e2b94b; font-size: 0.85em; }
[part='bar'] { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem; padding: 0.5rem 0.7rem; border-top: 1px solid #dde1e8; }
button { font: inherit; font-weight: 600; border-radius: 7px; padding: 0.4rem 0.9rem; cursor: pointer; border: 1px solid #b9cde4; background: #fff; color: var(--trellis-accent, #2f5d8f); }
[part='generate'] { background: var(--trellis-accent, #2f5d8f); color: #fff; border-color: transparent; }
button:disabled { opacity: 0.45; cursor: not-allowed; }
[part='status'] { flex: 1; min-width: 8rem; color: #5d6675; font-size: 0.85em; }
[part='download'] { color: var(--trellis-accent, #2f5d8f); font-weight: 600; }
[part='error'] { margin: 0; padding: 0.5rem 0.7rem; background: #fff5f4; color: #b3261e; border-top: 1px solid #e3a5a0; font-size: 0.85em; overflow-wrap: anywhere; }
`;
