// The parameter inputs, generated from the schema's field table so names, defaults and ranges
// cannot drift from the API, plus inline display of validation issues.
import { MULTI_FIELDS, type ParamFieldSpec } from '../api/schema.ts';
import type { ValidationIssue } from '../api/types.ts';

function inputFor(spec: ParamFieldSpec): HTMLInputElement | HTMLSelectElement {
  if (spec.kind === 'enum') {
    const select = document.createElement('select');
    for (const option of spec.options) {
      const el = document.createElement('option');
      el.value = String(option);
      el.textContent = String(option);
      el.selected = option === spec.default;
      select.append(el);
    }
    return select;
  }
  // Text inputs (not type=number): the browser must not silently drop what was typed, so the
  // schema sees it and can name the problem ("must be a number ..., got string "abc"").
  const input = document.createElement('input');
  input.type = 'text';
  input.inputMode = spec.kind === 'int' ? 'numeric' : 'decimal';
  input.autocomplete = 'off';
  input.spellcheck = false;
  if (spec.default !== undefined) input.value = String(spec.default);
  else input.placeholder = 'random';
  return input;
}

function rangeHint(spec: ParamFieldSpec): string {
  if (spec.kind === 'enum') return `one of ${spec.options.join(', ')}; default ${spec.default}`;
  const max = spec.max === Number.MAX_SAFE_INTEGER ? '2^53−1' : spec.max;
  return `${spec.kind === 'int' ? 'integer' : 'number'} ${spec.min}–${max}${spec.default !== undefined ? `; default ${spec.default}` : ''}`;
}

export function renderParamFields(container: HTMLElement): void {
  for (const spec of MULTI_FIELDS) {
    const id = `param-${spec.name}`;
    const wrapper = document.createElement('div');
    wrapper.dataset.field = spec.name;
    if (spec.name === 'multiimage_algo') wrapper.hidden = true;
    const label = document.createElement('label');
    label.htmlFor = id;
    label.textContent = spec.name;

    const input = inputFor(spec);
    input.id = id;
    input.name = spec.name;
    const hint = document.createElement('span');
    hint.className = 'hint';
    hint.textContent = `${spec.description.replace(/\.$/, '')} · ${rangeHint(spec)}`;
    const error = document.createElement('p');
    error.className = 'field-error';
    error.dataset.errorFor = spec.name;
    input.setAttribute('aria-describedby', `${id}-hint`);
    hint.id = `${id}-hint`;
    wrapper.append(label, input, hint, error);
    container.append(wrapper);
  }
}

/**
 * Reads the parameter inputs as a raw fal input object. Empty fields are omitted so the
 * schema fills defaults; values are passed as typed so the schema, not the form, judges them.
 */
export function readParams(form: HTMLFormElement, multi: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const spec of MULTI_FIELDS) {
    if (spec.name === 'multiimage_algo' && !multi) continue;
    const el = form.elements.namedItem(spec.name) as HTMLInputElement | HTMLSelectElement | null;
    if (!el || el.value.trim() === '') continue;
    out[spec.name] = spec.kind === 'enum' ? (spec.name === 'texture_size' ? Number(el.value) : el.value) : parseNumberField(el.value);
  }
  return out;
}

const NUMBER_TEXT = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

/** A typed number as a number; anything else stays text so the schema reports it as a wrong type. */
export function parseNumberField(text: string): number | string {
  const t = text.trim();
  return NUMBER_TEXT.test(t) ? Number(t) : t;
}

export function showIssues(root: HTMLElement, issues: ValidationIssue[]): void {
  clearIssues(root);
  for (const issue of issues) {
    const field = issue.loc.length > 1 ? String(issue.loc[1]) : 'body';
    const slot = root.querySelector<HTMLElement>(`[data-error-for="${field}"]`) ?? root.querySelector<HTMLElement>('[data-error-for="body"]');
    if (slot) slot.textContent = slot.textContent ? `${slot.textContent} ${issue.msg}` : issue.msg;
    root.querySelector(`[name="${field}"]`)?.setAttribute('aria-invalid', 'true');
  }
}

export function clearIssues(root: HTMLElement): void {
  root.querySelectorAll<HTMLElement>('[data-error-for]').forEach((el) => (el.textContent = ''));
  root.querySelectorAll('[aria-invalid]').forEach((el) => el.removeAttribute('aria-invalid'));
}

/** The parameter names the form has (fal's, from the schema). */
export const PARAM_FIELD_NAMES: readonly string[] = MULTI_FIELDS.map((s) => s.name);

function fieldOf(form: HTMLFormElement, name: string): HTMLInputElement | HTMLSelectElement | null {
  return form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement | null;
}

/** The fields whose text differs from the schema default, as typed (what settings.ts keeps). */
export function changedParamFields(form: HTMLFormElement): Record<string, string> {
  const out: Record<string, string> = {};
  for (const spec of MULTI_FIELDS) {
    const value = fieldOf(form, spec.name)?.value.trim() ?? '';
    if (value !== (spec.default === undefined ? '' : String(spec.default))) out[spec.name] = value;
  }
  return out;
}

/** Puts `values` into the fields; fields not named go back to their defaults. */
export function setParamFields(form: HTMLFormElement, values: Record<string, string>): void {
  for (const spec of MULTI_FIELDS) {
    const el = fieldOf(form, spec.name);
    if (!el) continue;
    const value = values[spec.name] ?? (spec.default === undefined ? '' : String(spec.default));
    // A stored value that is no longer an option (e.g. an old texture size) keeps the default.
    if (el instanceof HTMLSelectElement && ![...el.options].some((o) => o.value === value)) continue;
    el.value = value;
  }
}
