// The site's DOM-free logic: formatting, progress text, stage track mapping, model notices,
// image checks, number-field parsing, store key grouping.
import { describe, expect, it } from 'vitest';
import { formatBytes, formatSeconds, STAGE_LABELS, TRACK_STAGES, trackStageOf } from '../../src/app/format.ts';
import { progressText } from '../../src/app/progress-view.ts';
import { describeModel, isRandomWeights } from '../../src/app/model-info.ts';
import { imageTypeProblem, imageUrlProblem } from '../../src/app/image-check.ts';
import { parseNumberField } from '../../src/app/param-form.ts';
import { groupByFolder } from '../../src/app/model-cache.ts';
import type { ManifestV1 } from '../../src/models/manifest.ts';
import type { Stage } from '../../src/engine/protocol.ts';

describe('formatBytes / formatSeconds', () => {
  it('uses binary units with sensible precision', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1024)).toBe('1.00 KiB');
    expect(formatBytes(21_810_000)).toBe('20.8 MiB');
    expect(formatBytes(3 * 2 ** 30)).toBe('3.00 GiB');
    expect(formatBytes(512 * 2 ** 20)).toBe('512 MiB');
  });
  it('rejects impossible values', () => {
    expect(() => formatBytes(-1)).toThrow(/non-negative/);
    expect(() => formatSeconds(Number.NaN)).toThrow(/non-negative/);
  });
  it('switches to minutes at 60 s', () => {
    expect(formatSeconds(0)).toBe('0.0 s');
    expect(formatSeconds(59.94)).toBe('59.9 s');
    expect(formatSeconds(91)).toBe('1 min 31 s');
    expect(formatSeconds(3600)).toBe('60 min 00 s');
  });
});

describe('progress', () => {
  it('every stage has a label and maps onto the track', () => {
    for (const stage of Object.keys(STAGE_LABELS) as Stage[]) expect(TRACK_STAGES).toContain(trackStageOf(stage));
  });
  it('text: stage label, step i/n, percentage, message', () => {
    expect(progressText({ stage: 'sparse_structure', step: 3, steps: 12 })).toBe('Sparse structure · step 3/12');
    expect(progressText({ stage: 'download', step: 2, steps: 16, loaded: 10, total: 100, message: 'x.onnx' })).toBe('Download models · file 2/16');
    expect(progressText({ stage: 'geometry', loaded: 1, total: 4, message: 'dual marching cubes (edges)' })).toBe('Extract surface · 25% · dual marching cubes (edges)');
    // A stage without a chip is named after the chip it folds into (the line never names a stage the track lacks).
    expect(progressText({ stage: 'sparse_decode' })).toBe('Sparse structure · decoding');
    expect(progressText({ stage: 'background_removal', step: 1, steps: 2 })).toBe('Prepare image · removing background · step 1/2');
    for (const stage of Object.keys(STAGE_LABELS) as Stage[]) expect(progressText({ stage }).split(' · ')[0]).toBe(STAGE_LABELS[trackStageOf(stage)]);
  });
});

describe('model notice', () => {
  it('warns for a random-weight set and quotes its description', () => {
    expect(isRandomWeights({ id: 'tiny-random', description: undefined })).toBe(true);
    expect(isRandomWeights({ id: 'x', description: 'Random weights in the real TRELLIS layout: the shapes they make are noise' })).toBe(true);
    expect(isRandomWeights({ id: 'trellis-image-large', description: 'Converted from microsoft/TRELLIS-image-large' })).toBe(false);
  });
  it('describes a validated manifest with its size', () => {
    // describeModel reads only id, name, description, dtype and the files' sizes.
    const file = (size: number) => ({ path: 'f', size, sha256: '0'.repeat(64), role: 'graph' });
    const m = {
      id: 'real-set',
      name: 'Real',
      description: 'Converted weights',
      dtype: 'fp32',
      components: { ss_flow: { files: [file(3 * 2 ** 20), file(2 ** 19)] }, slat_flow: { files: [file(2 ** 20)] } },
    } as unknown as ManifestV1;
    const notice = describeModel(m);
    expect(notice.warning).toBeNull();
    expect(notice.summary).toBe('model: Real (fp32, 4.50 MiB)');
    const demo = describeModel({ ...m, id: 'tiny-random', name: 'Tiny', description: 'the shapes they make are noise, not objects.' });
    expect(demo.warning).toContain('the shapes they make are noise, not objects.');
    expect(demo.warning).toContain('will not look like your picture');
  });
});

describe('image checks', () => {
  it('names a non-image file and its type', () => {
    expect(imageTypeProblem('notes.txt', 'text/plain')).toBe('"notes.txt" is a text/plain file, not an image: use PNG, JPEG or WebP (a transparent background works best)');
    expect(imageTypeProblem('blob', '')).toContain('a file of unknown type');
    expect(imageTypeProblem('a.PNG', 'image/png')).toBeNull();
    expect(imageTypeProblem('a.svg', 'image/svg+xml')).toContain('image/svg+xml');
  });
  it('checks URLs before they are added', () => {
    expect(imageUrlProblem('https://x.test/a.png')).toBeNull();
    expect(imageUrlProblem('data:image/png;base64,AAAA')).toBeNull();
    expect(imageUrlProblem('data:text/plain,hi')).toBe('the data: URL does not hold an image (expected data:image/...)');
    expect(imageUrlProblem('ftp://x/a.png')).toBe('the URL scheme "ftp:" is not supported; allowed: http:, https:, data:, blob:');
    expect(imageUrlProblem('cat.png')).toContain('is not a valid absolute URL');
  });
});

describe('number fields', () => {
  it('numbers become numbers, anything else stays text for the schema to name', () => {
    expect(parseNumberField(' 7.5 ')).toBe(7.5);
    expect(parseNumberField('12')).toBe(12);
    expect(parseNumberField('-3')).toBe(-3);
    expect(parseNumberField('.5')).toBe(0.5);
    expect(parseNumberField('1e3')).toBe(1000);
    expect(parseNumberField('abc')).toBe('abc');
    expect(parseNumberField('1,5')).toBe('1,5');
    expect(parseNumberField('Infinity')).toBe('Infinity');
  });
});

describe('model store grouping', () => {
  it('groups keys by folder, ignoring the sha256 query', () => {
    const groups = groupByFolder([
      { url: 'http://h/models/a/x.onnx?sha256=1', bytes: 10 },
      { url: 'http://h/models/a/x.onnx.data?sha256=2', bytes: 90 },
      { url: 'http://h/models/b/y.onnx?sha256=3', bytes: 5 },
    ]);
    expect(groups).toEqual([
      { folder: 'http://h/models/a/', files: 2, bytes: 100 },
      { folder: 'http://h/models/b/', files: 1, bytes: 5 },
    ]);
  });
});
