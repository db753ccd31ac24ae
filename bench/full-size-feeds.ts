// Inputs at the released model's real shapes for each full-size graph check (bench/full-size.ts):
// DINOv2 at 518², the stage-1 flow on its 16³ grid (batch 1: the WASM engine runs the CFG pair as
// two calls), the structure decoder, the SLat flow and both SLat decoders on a surface-like voxel
// set of the requested size (a shell, not random noise: index maps and swin windows get the
// locality real outputs have). The mesh decoder's stats/tail run on the first chunk the engine
// would feed them at that size (engine/sparse/mesh-chunks.ts, chunk size from decoders.ts).
import { TorchGenerator } from '../src/engine/rng/index.ts';
import { slatFlowIndexInputs } from '../src/engine/sparse/slat-flow-index.ts';
import { meshDecoderHeadIndexInputs, trunkIndexInputs } from '../src/engine/sparse/decoder-feeds.ts';
import { runMeshTailChunked } from '../src/engine/sparse/mesh-chunks.ts';
import { meshChunkParents } from '../src/engine/pipeline/decoders.ts';
import { shellCoordsOfSize } from '../test/helpers/converted-graph-cases.ts';
import type { FullSizeCase } from './full-size-graph.ts';

type Feed = { dtype: 'float32' | 'int32'; dims: number[]; data: Float32Array | Int32Array };
type Feeds = Record<string, Feed>;

export interface GraphStep {
  graph: string;
  label: string;
  note: string;
  feeds(): Promise<Feeds | null>;
  /** Receives the outputs (the mesh head's feed the stats/tail steps). */
  done?(out: Record<string, { dims: number[]; data: unknown }>): void;
}

interface ManifestLike {
  components: Record<string, { config: Record<string, any>; inputs: { name: string; shape: (number | string)[] }[]; graphs?: Record<string, { inputs: { name: string }[] }> }>;
}

const COND_TOKENS = 1374;

export function fullSizeFeeds(manifest: ManifestLike, c: FullSizeCase): GraphStep[] {
  const gen = new TorchGenerator(7);
  const f32 = (dims: number[]): Feed => ({ dtype: 'float32', dims, data: gen.randn(dims) });
  const comp = manifest.components[c.case];
  const cfg = comp.config;
  const condC = Number(manifest.components.slat_flow?.config.cond_channels ?? 1024);
  const voxels = () => {
    const s = shellCoordsOfSize(Number(cfg.resolution), c.voxels ?? 16_000);
    return s;
  };
  switch (c.case) {
    case 'dinov2':
      return [{ graph: 'main', label: 'dinov2', note: '518²', feeds: async () => ({ image: f32([1, 3, 518, 518]) }) }];
    case 'ss_flow': {
      const r = Number(cfg.resolution);
      const ch = Number(cfg.in_channels);
      return [{
        graph: 'main', label: 'ss_flow', note: `${r ** 3} tokens, batch 1`,
        feeds: async () => ({ x: f32([1, ch, r, r, r]), t: { dtype: 'float32', dims: [1], data: Float32Array.of(700) }, cond: f32([1, COND_TOKENS, condC]) }),
      }];
    }
    case 'ss_decoder': {
      const z = comp.inputs[0];
      const dims = [1, ...(z.shape.slice(1) as number[])];
      return [{ graph: 'main', label: 'ss_decoder', note: `z [${dims}]`, feeds: async () => ({ [z.name]: f32(dims) }) }];
    }
    case 'slat_flow': {
      return [{
        graph: 'main', label: `slat_flow @${c.voxels}`, note: '',
        feeds: async function (this: GraphStep) {
          const s = voxels();
          const index = slatFlowIndexInputs(s.coords, s.n);
          this.note = `N=${s.n} M=${index.coarse_pos.dims[0]}`;
          return { feats: f32([s.n, Number(cfg.in_channels)]), t: { dtype: 'float32', dims: [1], data: Float32Array.of(500) }, cond: f32([1, COND_TOKENS, Number(cfg.cond_channels)]), ...(index as Feeds) };
        },
      }];
    }
    case 'slat_decoder_gs': {
      return [{
        graph: 'main', label: `slat_decoder_gs @${c.voxels}`, note: '',
        feeds: async function (this: GraphStep) {
          const s = voxels();
          this.note = `N=${s.n}`;
          const swinGroups = comp.inputs.filter((x) => /^swin0_index_\d+$/.test(x.name)).length;
          const idx = trunkIndexInputs(s.coords, s.n, { resolution: Number(cfg.resolution), windowSize: Number(cfg.window_size ?? 8), numBlocks: Number(cfg.num_blocks), swinGroups });
          return { ...(idx as Feeds), feats: f32([s.n, Number(cfg.latent_channels)]) };
        },
      }];
    }
    case 'slat_decoder_mesh': {
      const s = voxels();
      const headInputs = comp.graphs!.head.inputs;
      const swinGroups = headInputs.filter((x) => /^swin0_index_\d+$/.test(x.name)).length;
      const head = meshDecoderHeadIndexInputs(s.coords, s.n, { resolution: Number(cfg.resolution), windowSize: Number(cfg.window_size ?? 8), numBlocks: Number(cfg.num_blocks), swinGroups });
      let headOut: Record<string, { dims: number[]; data: unknown }> | null = null;
      let chunkFeeds: { stats: Feeds; tail: Feeds | null; parents: number; chunks: number } | null = null;
      const c2 = Number(cfg.model_channels) / 8;
      const outChannels = 101;
      /** The first chunk's stats and tail feeds, as the engine would build them. */
      const firstChunk = async () => {
        if (chunkFeeds || !headOut) return chunkFeeds;
        const c1 = headOut.h_sub1.dims[1];
        const nSub1 = 8 * s.n;
        const parents = meshChunkParents(c1, c2, outChannels);
        let stats: Feeds | null = null;
        let tail: Feeds | null = null;
        let chunks = 0;
        const stop = new Error('first chunk captured');
        await runMeshTailChunked(
          { hSub1: headOut.h_sub1.data as Float32Array, aSub1: headOut.a_sub1.data as Float32Array, nSub1, c1, c2, outChannels, nbrSub1: head.nbrSub1, parentsPerChunk: parents },
          {
            stats: async (f) => {
              chunks++;
              stats ??= f as Feeds;
              return { sum: new Float32Array(32), sumsq: new Float32Array(32).fill(1) };
            },
            tail: async (f) => {
              tail = f as Feeds;
              throw stop;
            },
          },
        ).catch((e) => {
          if (e !== stop) throw e;
        });
        chunkFeeds = { stats: stats!, tail, parents, chunks };
        return chunkFeeds;
      };
      return [
        {
          graph: 'head', label: `mesh head @${c.voxels}`, note: `N=${s.n}`,
          feeds: async () => ({ ...(head.feeds as Feeds), feats: f32([s.n, Number(cfg.latent_channels)]) }),
          done: (out) => {
            headOut = out;
          },
        },
        {
          graph: 'stats', label: `mesh stats @${c.voxels}`, note: '',
          feeds: async function (this: GraphStep) {
            const f = await firstChunk();
            if (!f) return null;
            this.note = `chunk 1 of ${f.chunks} (${f.parents} parents)`;
            return f.stats;
          },
        },
        {
          graph: 'tail', label: `mesh tail @${c.voxels}`, note: '',
          feeds: async function (this: GraphStep) {
            const f = await firstChunk();
            if (!f?.tail) return null;
            this.note = `chunk 1 of ${f.chunks}`;
            return f.tail;
          },
        },
      ];
    }
  }
}
