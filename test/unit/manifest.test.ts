import { describe, expect, it } from 'vitest';
import {
  checkManifest,
  loadManifest,
  manifestBytes,
  ManifestError,
  parseManifest,
  presentComponents,
  resolveModelFile,
  type ManifestV1,
} from '../../src/models/manifest.ts';

const HASH = 'ab'.repeat(32);

function component(name: string, sizes: number[] = [1000]) {
  return {
    class: `${name}Model`,
    config: { model_channels: 64, num_blocks: 2 },
    files: sizes.map((size, i) => ({
      path: i === 0 ? `${name}/model.onnx` : `${name}/model.onnx.data${i}`,
      size,
      sha256: HASH,
      role: i === 0 ? 'graph' : 'external_data',
    })),
    inputs: [
      { name: 'x', dtype: 'float32', shape: [1, 8, 16, 16, 16] },
      { name: 'coords', dtype: 'int64', shape: ['N', 4] },
    ],
    outputs: [{ name: 'y', dtype: 'float32', shape: ['N', 8] }],
    dtype: 'fp32',
  };
}

const sampler = () => ({ steps: 25, cfg_strength: 5, cfg_interval: [0.5, 1], rescale_t: 3, sigma_min: 1e-5 });

function validManifest(): Record<string, any> {
  return {
    format: 'trellis-web-models',
    version: 1,
    id: 'tiny-random',
    name: 'Tiny random weights',
    description: 'test',
    dtype: 'fp32',
    components: {
      dinov2: component('dinov2'),
      ss_flow: component('ss_flow', [100, 2000]),
      ss_decoder: component('ss_decoder'),
      slat_flow: component('slat_flow'),
      slat_decoder_mesh: component('slat_decoder_mesh'),
    },
    pipeline: {
      ss_sampler: sampler(),
      slat_sampler: sampler(),
      slat_normalization: { mean: [0, 1, 2, 3, 4, 5, 6, 7], std: [1, 1, 1, 1, 2, 2, 2, 2] },
    },
    source: { repo: 'microsoft/TRELLIS-image-large', converter: 'test' },
  };
}

/** The issue paths for a manifest mutated by `edit`. */
function problems(edit: (m: Record<string, any>) => void): { path: string; message: string }[] {
  const m = validManifest();
  edit(m);
  return checkManifest(m);
}

function onlyProblem(edit: (m: Record<string, any>) => void): { path: string; message: string } {
  const list = problems(edit);
  expect(list, JSON.stringify(list)).toHaveLength(1);
  return list[0]!;
}

describe('parseManifest', () => {
  it('accepts a valid manifest from text and from an object', () => {
    const m = validManifest();
    const fromText: ManifestV1 = parseManifest(JSON.stringify(m));
    expect(fromText).toEqual(m);
    expect(parseManifest(m)).toBe(m);
  });

  it('accepts optional components and omitted optional fields', () => {
    const m = validManifest();
    delete m.description;
    delete m.source;
    delete m.components.dinov2;
    m.components.slat_decoder_gs = component('slat_decoder_gs');
    m.components.background_removal = component('background_removal');
    expect(checkManifest(m)).toEqual([]);
    expect(presentComponents(parseManifest(m))).toEqual(['background_removal', 'ss_flow', 'ss_decoder', 'slat_flow', 'slat_decoder_mesh', 'slat_decoder_gs']);
  });

  it('reports unreadable JSON', () => {
    expect(() => parseManifest('{"format": ')).toThrow(ManifestError);
    try {
      parseManifest('{oops');
    } catch (error) {
      expect((error as ManifestError).kind).toBe('unreadable');
      expect((error as Error).message).toMatch(/not valid JSON/);
    }
  });

  it('collects every problem into one ManifestError naming each path', () => {
    const m = validManifest();
    m.version = 2;
    m.components.ss_flow.files[0].sha256 = 'xyz';
    delete m.pipeline.slat_sampler.steps;
    try {
      parseManifest(m, ' test.json');
      throw new Error('expected rejection');
    } catch (error) {
      const e = error as ManifestError;
      expect(e.kind).toBe('invalid');
      expect(e.issues.map((i) => i.path)).toEqual(['version', 'components.ss_flow.files[0].sha256', 'pipeline.slat_sampler.steps']);
      expect(e.message).toContain('test.json');
      expect(e.message).toContain('components.ss_flow.files[0].sha256: expected 64 hex chars');
    }
  });
});

describe('checkManifest rejects', () => {
  it('a non-object', () => {
    expect(checkManifest([])).toEqual([{ path: '(root)', message: 'expected an object, got a list' }]);
  });

  it('a wrong format tag or version', () => {
    expect(onlyProblem((m) => (m.format = 'onnx')).path).toBe('format');
    expect(onlyProblem((m) => (m.version = '1')).message).toMatch(/expected one of 1/);
  });

  it.each(['id', 'name', 'format', 'version', 'dtype', 'components', 'pipeline'])('missing top-level %s', (key) => {
    const p = onlyProblem((m) => delete m[key]);
    expect(p).toEqual({ path: key, message: 'required field is missing' });
  });

  it('an unknown top-level field, listing the allowed ones', () => {
    const p = onlyProblem((m) => (m.weights = []));
    expect(p.path).toBe('weights');
    expect(p.message).toContain('allowed here: format, version, id, name, dtype, components, pipeline, description, source');
  });

  it('an id that cannot be a folder name', () => {
    expect(onlyProblem((m) => (m.id = '../evil')).path).toBe('id');
    expect(onlyProblem((m) => (m.id = 'Has Space')).path).toBe('id');
  });

  it('a bad dtype', () => {
    expect(onlyProblem((m) => (m.dtype = 'bf16')).message).toBe('expected one of "fp32", "fp16", got string "bf16"');
    expect(onlyProblem((m) => (m.components.slat_flow.dtype = 'int8')).path).toBe('components.slat_flow.dtype');
  });

  it.each(['ss_flow', 'ss_decoder', 'slat_flow', 'slat_decoder_mesh'])('a missing required component %s', (name) => {
    expect(onlyProblem((m) => delete m.components[name])).toEqual({ path: `components.${name}`, message: 'required field is missing' });
  });

  it('an unknown component', () => {
    const p = onlyProblem((m) => (m.components.slat_decoder_rf = component('rf')));
    expect(p.path).toBe('components.slat_decoder_rf');
    expect(p.message).toContain('slat_decoder_gs');
  });

  it.each(['class', 'config', 'files', 'inputs', 'outputs', 'dtype'])('a component without %s', (key) => {
    expect(onlyProblem((m) => delete m.components.ss_decoder[key])).toEqual({
      path: `components.ss_decoder.${key}`,
      message: 'required field is missing',
    });
  });

  it('an ill-typed component config', () => {
    expect(onlyProblem((m) => (m.components.ss_decoder.config = [1]))).toEqual({
      path: 'components.ss_decoder.config',
      message: 'expected an object, got a list',
    });
  });

  it.each([
    ['short', 'abc'],
    ['non-hex', 'g'.repeat(64)],
    ['too long', 'a'.repeat(65)],
  ])('a %s sha256', (_label, sha) => {
    expect(onlyProblem((m) => (m.components.ss_flow.files[1].sha256 = sha)).path).toBe('components.ss_flow.files[1].sha256');
  });

  it('a non-string sha256', () => {
    expect(onlyProblem((m) => (m.components.ss_flow.files[0].sha256 = 12))).toEqual({
      path: 'components.ss_flow.files[0].sha256',
      message: 'expected a string, got number 12',
    });
  });

  it.each([
    ['negative', -1],
    ['fractional', 1.5],
    ['string', '100'],
  ])('a %s file size', (_label, size) => {
    expect(onlyProblem((m) => (m.components.ss_flow.files[0].size = size)).path).toBe('components.ss_flow.files[0].size');
  });

  it.each(['/abs/model.onnx', 'https://evil.example/model.onnx', '../model.onnx', 'a/./b.onnx', 'a//b.onnx', 'a\\b.onnx', ''])(
    'the file path %j',
    (path) => {
      expect(onlyProblem((m) => (m.components.ss_flow.files[0].path = path)).path).toBe('components.ss_flow.files[0].path');
    },
  );

  it('an unknown file role', () => {
    const p = onlyProblem((m) => (m.components.ss_flow.files[1].role = 'weights'));
    expect(p.message).toBe('expected one of "graph", "external_data", "other", got string "weights"');
  });

  it('a component without a graph file', () => {
    expect(onlyProblem((m) => (m.components.ss_flow.files[0].role = 'other'))).toEqual({
      path: 'components.ss_flow.files',
      message: 'expected at least one file with role "graph", found none',
    });
  });

  it('duplicate file paths and tensor names', () => {
    expect(onlyProblem((m) => (m.components.ss_flow.files[1].path = m.components.ss_flow.files[0].path)).path).toBe(
      'components.ss_flow.files[1].path',
    );
    expect(onlyProblem((m) => (m.components.ss_flow.inputs[1].name = 'x')).message).toMatch(/duplicate name "x"/);
  });

  it('an empty files or outputs list', () => {
    expect(onlyProblem((m) => (m.components.ss_flow.files = []))).toEqual({
      path: 'components.ss_flow.files',
      message: 'expected at least 1 item, got 0',
    });
    expect(onlyProblem((m) => (m.components.ss_flow.outputs = [])).path).toBe('components.ss_flow.outputs');
  });

  it('bad tensor specs', () => {
    expect(onlyProblem((m) => (m.components.ss_flow.inputs[0].dtype = 'double')).path).toBe('components.ss_flow.inputs[0].dtype');
    expect(onlyProblem((m) => (m.components.ss_flow.inputs[0].shape = [1, -8])).path).toBe('components.ss_flow.inputs[0].shape[1]');
    expect(onlyProblem((m) => (m.components.ss_flow.inputs[0].shape = [1, null])).message).toMatch(/symbolic dimension name/);
    expect(onlyProblem((m) => (m.components.ss_flow.outputs[0].extra = 1)).path).toBe('components.ss_flow.outputs[0].extra');
  });

  it('bad sampler blocks', () => {
    expect(onlyProblem((m) => (m.pipeline.ss_sampler.steps = 0)).path).toBe('pipeline.ss_sampler.steps');
    expect(onlyProblem((m) => (m.pipeline.ss_sampler.cfg_interval = [0.5])).message).toBe('expected exactly 2 items, got 1');
    expect(onlyProblem((m) => (m.pipeline.ss_sampler.cfg_interval = [1, 0.5])).path).toBe('pipeline.ss_sampler.cfg_interval');
    expect(onlyProblem((m) => (m.pipeline.slat_sampler.rescale_t = 0)).path).toBe('pipeline.slat_sampler.rescale_t');
    expect(onlyProblem((m) => (m.pipeline.slat_sampler.sigma_min = 'small')).path).toBe('pipeline.slat_sampler.sigma_min');
    expect(onlyProblem((m) => (m.pipeline.slat_sampler.eta = 1)).path).toBe('pipeline.slat_sampler.eta');
  });

  it('a slat_normalization that is not 8 finite numbers (std > 0)', () => {
    expect(onlyProblem((m) => (m.pipeline.slat_normalization.mean = [0, 1]))).toEqual({
      path: 'pipeline.slat_normalization.mean',
      message: 'expected exactly 8 items, got 2',
    });
    expect(onlyProblem((m) => (m.pipeline.slat_normalization.std[3] = 0)).path).toBe('pipeline.slat_normalization.std[3]');
    expect(onlyProblem((m) => (m.pipeline.slat_normalization.mean[7] = null)).path).toBe('pipeline.slat_normalization.mean[7]');
  });
});

describe('loadManifest', () => {
  const url = 'https://host.example/app/models/tiny/manifest.json';
  const respond = (status: number, body: string) => async () => ({ ok: status >= 200 && status < 300, status, statusText: status === 404 ? 'Not Found' : 'OK', text: async () => body });

  it('loads a valid manifest', async () => {
    const m = await loadManifest(url, respond(200, JSON.stringify(validManifest())));
    expect(m.id).toBe('tiny-random');
    expect(manifestBytes(m)).toBe(100 + 2000 + 4 * 1000);
    expect(resolveModelFile(url, m.components.ss_flow.files[1]!)).toBe('https://host.example/app/models/tiny/ss_flow/model.onnx.data1');
  });

  it('reports a 404 as not_found', async () => {
    await expect(loadManifest(url, respond(404, 'nope'))).rejects.toMatchObject({ kind: 'not_found', message: expect.stringContaining('HTTP 404') });
  });

  it('reports an HTML fallback page as not_found', async () => {
    await expect(loadManifest(url, respond(200, '<!doctype html><html></html>'))).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('reports a network failure as not_found', async () => {
    await expect(
      loadManifest(url, async () => {
        throw new TypeError('fetch failed');
      }),
    ).rejects.toMatchObject({ kind: 'not_found', message: expect.stringContaining('fetch failed') });
  });

  it('reports a server error as unreadable and invalid content as invalid', async () => {
    await expect(loadManifest(url, respond(500, ''))).rejects.toMatchObject({ kind: 'unreadable' });
    await expect(loadManifest(url, respond(200, '{"format":"x"}'))).rejects.toMatchObject({ kind: 'invalid' });
  });
});
