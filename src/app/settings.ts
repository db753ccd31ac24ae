// The visitor's choices (model folder, device, fal parameters) kept across reloads: written to
// localStorage and mirrored into the page URL, so a reload, a bookmark and a shared link all
// reopen the same set-up. A URL parameter wins over the stored value (it is what was linked).
import type { DevicePreference } from '../engine/protocol.ts';

export interface Settings {
  /** Model folder as typed in the "Model folder" field, e.g. ./models/tiny-random/ */
  models?: string;
  device?: DevicePreference;
  /** fal parameter fields that differ from their defaults, as typed. */
  params: Record<string, string>;
}

export const SETTINGS_KEY = 'trellis-web:settings:v1';
const DEVICES: readonly string[] = ['auto', 'webgpu', 'wasm'];
/** ./models/<id>/ folders travel as ?model=<id>; any other folder as ?models=<folder>. */
const MODEL_ID_FOLDER = /^\.\/models\/([A-Za-z0-9._-]+)\/$/;

export function modelFolderOf(id: string): string {
  return `./models/${id}/`;
}

/** Reads ?model= / ?models=, ?device= and any of `paramNames` from a query string. */
export function settingsFromQuery(search: string, paramNames: readonly string[]): Settings {
  const q = new URLSearchParams(search);
  const out: Settings = { params: {} };
  const id = q.get('model');
  if (id) out.models = modelFolderOf(id);
  else if (q.get('models')) out.models = q.get('models')!;
  const device = q.get('device');
  if (device && DEVICES.includes(device)) out.device = device as DevicePreference;
  for (const name of paramNames) {
    const v = q.get(name);
    if (v !== null && v !== '') out.params[name] = v;
  }
  return out;
}

/** The query string for `settings` on top of `search`'s unrelated parameters. */
export function settingsToQuery(settings: Settings, search: string, paramNames: readonly string[]): string {
  const q = new URLSearchParams(search);
  for (const k of ['model', 'models', 'device', ...paramNames]) q.delete(k);
  if (settings.models) {
    const id = MODEL_ID_FOLDER.exec(settings.models)?.[1];
    if (id) q.set('model', id);
    else q.set('models', settings.models);
  }
  if (settings.device && settings.device !== 'auto') q.set('device', settings.device);
  for (const [k, v] of Object.entries(settings.params)) q.set(k, v);
  const text = q.toString();
  return text ? `?${text}` : '';
}

/** Stored settings first, the URL's on top (per field; URL parameters replace stored ones). */
export function mergeSettings(stored: Settings | null, fromUrl: Settings): Settings {
  const urlHasParams = Object.keys(fromUrl.params).length > 0;
  return {
    ...(stored?.models || fromUrl.models ? { models: fromUrl.models ?? stored!.models } : {}),
    ...(stored?.device || fromUrl.device ? { device: fromUrl.device ?? stored!.device } : {}),
    params: urlHasParams ? fromUrl.params : { ...(stored?.params ?? {}) },
  };
}

/** The stored settings, or null when there are none or they cannot be read (private mode, damage). */
export function readStoredSettings(storage: Pick<Storage, 'getItem'> | undefined): Settings | null {
  try {
    const raw = storage?.getItem(SETTINGS_KEY);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as Partial<Settings>;
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(parsed.params ?? {})) if (typeof v === 'string') params[k] = v;
    return {
      ...(typeof parsed.models === 'string' ? { models: parsed.models } : {}),
      ...(typeof parsed.device === 'string' && DEVICES.includes(parsed.device) ? { device: parsed.device } : {}),
      params,
    };
  } catch {
    return null;
  }
}

/** Stores the settings; false when the browser refuses (quota, storage disabled). */
export function writeStoredSettings(storage: Pick<Storage, 'setItem'> | undefined, settings: Settings): boolean {
  try {
    storage?.setItem(SETTINGS_KEY, JSON.stringify(settings));
    return storage !== undefined;
  } catch {
    return false;
  }
}
