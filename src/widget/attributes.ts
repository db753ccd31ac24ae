// <trellis-generator> attributes -> a fal request input. Attribute names mirror fal's parameter
// names (ss_sampling_steps); the kebab-case spelling (ss-sampling-steps) works too. Values are
// handed to the schema as typed so its messages name the problem.
import { MULTI_FIELDS } from '../api/schema.ts';
import { parseNumberField } from '../app/param-form.ts';

export const PARAM_NAMES: readonly string[] = MULTI_FIELDS.map((f) => f.name);
export const PARAM_ATTRIBUTES: readonly string[] = PARAM_NAMES.flatMap((n) => [n, n.replaceAll('_', '-')]);
export const OTHER_ATTRIBUTES = ['models-url', 'image-url', 'image-urls', 'device', 'wasm-url'] as const;

type AttributeSource = Pick<Element, 'getAttribute' | 'hasAttribute'>;

/** The fal parameters set by attributes (images excluded). */
export function paramsFromAttributes(el: AttributeSource): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const spec of MULTI_FIELDS) {
    const raw = el.getAttribute(spec.name) ?? el.getAttribute(spec.name.replaceAll('_', '-'));
    if (raw === null || raw.trim() === '') continue;
    if (spec.kind === 'enum') out[spec.name] = spec.name === 'texture_size' ? parseNumberField(raw) : raw.trim();
    else out[spec.name] = parseNumberField(raw);
  }
  return out;
}

/** image-urls: whitespace-separated URLs (data: URLs contain no whitespace). */
export function imageUrlsFromAttribute(value: string | null): string[] {
  return (value ?? '').split(/\s+/).filter(Boolean);
}
