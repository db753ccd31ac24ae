// A ComponentProvider wrapper that replaces the sparse-structure decoder's occupancy with a fixed
// voxel set, after running the real decoder: benches and tests get a real-size stage 2 and
// decoders (e.g. ~16k voxels) from models whose random weights would occupy noise. Used through
// TrellisEngineOptions.wrapProvider; never a product option.
import { EngineError } from '../errors.ts';
import type { ComponentName } from '../../models/manifest.ts';
import type { ComponentProvider, ComponentRunner, FeedValue, HostTensor } from './types.ts';

/** coords: [n,4] (b, x, y, z) rows inside the decoder's output grid. */
export function fixedOccupancy(provider: ComponentProvider, coords: Int32Array): ComponentProvider {
  const wrapDecoder = (runner: ComponentRunner): ComponentRunner => ({
    name: runner.name,
    io: runner.io,
    pin: (t) => runner.pin(t),
    async run(feeds: Record<string, FeedValue>, outputs?: string[]): Promise<Record<string, HostTensor>> {
      const out = await runner.run(feeds, outputs);
      for (const t of Object.values(out)) {
        const [, , r] = t.dims;
        const logits = new Float32Array(t.data.length).fill(-1);
        for (let i = 0; i < coords.length; i += 4) {
          const [x, y, z] = [coords[i + 1], coords[i + 2], coords[i + 3]];
          if (x >= r || y >= r || z >= r) throw new EngineError('BAD_REQUEST', `fixed occupancy: voxel (${x}, ${y}, ${z}) is outside the ${r}³ grid`);
          logits[(x * r + y) * r + z] = 1;
        }
        t.data = logits;
      }
      return out;
    },
  });
  return {
    has: (n) => provider.has(n),
    config: (n) => provider.config(n),
    graphs: (n) => provider.graphs(n),
    io: (n, g) => provider.io(n, g),
    done: (n) => provider.done(n),
    async get(name: ComponentName, graph?: string) {
      const r = await provider.get(name, graph);
      return name === 'ss_decoder' ? wrapDecoder(r) : r;
    },
  };
}
