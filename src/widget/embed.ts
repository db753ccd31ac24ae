// embed.html: the generator for <iframe> use. The host lists its origin(s) in ?allow=...; the
// page then answers postMessage requests from exactly those origins (see embed-protocol.ts).
// Other query parameters: models (models folder URL), device, and any fal parameter as a default.
import { TrellisGeneratorElement, defineTrellisGenerator, errorDetail } from './trellis-generator.ts';
import { acceptsOrigin, cancelApplies, parseAllowedOrigins, parseEmbedRequest, PROTOCOL_VERSION } from './embed-protocol.ts';
import { PARAM_NAMES } from './attributes.ts';

defineTrellisGenerator();

const query = new URLSearchParams(location.search);
const { origins: allowed, problems } = parseAllowedOrigins(query.get('allow'));
const element = document.querySelector<TrellisGeneratorElement>('trellis-generator');
const log = document.getElementById('embed-log');
if (!element || !log) throw new Error('embed.html lacks <trellis-generator> or #embed-log');

if (query.get('models')) element.setAttribute('models-url', query.get('models')!);
if (query.get('device')) element.setAttribute('device', query.get('device')!);
if (query.get('image_url')) element.setAttribute('image-url', query.get('image_url')!);
for (const name of PARAM_NAMES) if (query.get(name) !== null) element.setAttribute(name, query.get(name)!);

let ignored = 0;
function note(text: string): void {
  const line = document.createElement('li');
  line.textContent = text;
  log!.prepend(line);
  while (log!.children.length > 20) log!.lastElementChild?.remove();
}
document.body.dataset.allowed = allowed.join(' ');
if (problems.length) note(`allow list problems: ${problems.join('; ')}`);
if (!allowed.length) note('No host origin is allowed (add ?allow=https://your.site): postMessage requests are ignored.');

const inIframe = window.parent !== window;
/** Id of the request being generated (trellis:cancel with an id must name it). */
let runningId: string | number | null = null;
/** Replies only ever go to the origin that asked (an allowed one). */
function reply(origin: string, message: Record<string, unknown>): void {
  window.parent.postMessage(message, origin);
}

window.addEventListener('message', (event: MessageEvent) => {
  if (!inIframe || event.source !== window.parent || !acceptsOrigin(event.origin, allowed)) {
    ignored++;
    document.body.dataset.ignored = String(ignored);
    note(`ignored a message from ${event.origin || 'an unknown origin'} (not in the allow list)`);
    return;
  }
  const parsed = parseEmbedRequest(event.data);
  if (!parsed.ok) {
    note(`rejected a message from ${event.origin}: ${parsed.reason}`);
    const id = (event.data as { id?: unknown } | null)?.id;
    reply(event.origin, { type: 'trellis:error', id: typeof id === 'string' || typeof id === 'number' ? id : null, error: { code: 'BAD_REQUEST', message: parsed.reason } });
    return;
  }
  const request = parsed.request;
  if (request.type === 'trellis:cancel') {
    if (cancelApplies(request.id, runningId)) element.cancel();
    else note(`ignored trellis:cancel ${String(request.id)} from ${event.origin}: ${runningId === null ? 'nothing is running' : `request ${String(runningId)} is running`}`);
    return;
  }
  const { id } = request;
  if (runningId === null) runningId = id;
  note(`generate request ${String(id)} from ${event.origin}`);
  const onProgress = (e: Event) => reply(event.origin, { type: 'trellis:progress', id, event: (e as CustomEvent).detail });
  element.addEventListener('trellis-progress', onProgress);
  element
    .generate(request.input)
    .then((result) => reply(event.origin, { type: 'trellis:result', id, result }))
    .catch((error) => reply(event.origin, { type: 'trellis:error', id, error: errorDetail(error) }))
    .finally(() => {
      element.removeEventListener('trellis-progress', onProgress);
      if (runningId === id) runningId = null;
    });
});

if (inIframe) for (const origin of allowed) reply(origin, { type: 'trellis:ready', version: PROTOCOL_VERSION });
