// Gaussian parameters from the GS decoder's raw features (networks.md §7; TRELLIS
// SLatGaussianDecoder.to_representation + Gaussian getters). Gaussian g of voxel i is row
// 32·i + g. Outputs are what the reference's get_xyz, get_scaling, get_rotation, get_opacity and
// _features_dc return.

export interface GaussianRepresentationConfig {
  num_gaussians: number;
  voxel_size: number;
  perturb_offset: boolean;
  lr: { _xyz: number; _features_dc: number; _opacity: number; _scaling: number; _rotation: number };
  '3d_filter_kernel_size': number;
  scaling_bias: number;
  opacity_bias: number;
  scaling_activation: 'softplus' | 'exp';
}

export interface GaussianDecodeConfig {
  resolution: number;
  representation: GaussianRepresentationConfig;
}

export interface GaussianParams {
  count: number;
  /** [count,3] world positions (get_xyz: aabb [-0.5,-0.5,-0.5, 1,1,1]). */
  xyz: Float32Array;
  /** [count,3] SH degree-0 coefficients (raw, lr 1). */
  featuresDc: Float32Array;
  /** [count,3] get_scaling. */
  scaling: Float32Array;
  /** [count,4] unit quaternion, w first. */
  rotation: Float32Array;
  /** [count] get_opacity. */
  opacity: Float32Array;
}

const softplus = (x: number) => (x > 20 ? x : Math.log1p(Math.exp(x)));

export function decodeGaussians(
  feats: Float32Array,
  coords: Int32Array,
  n: number,
  config: GaussianDecodeConfig,
  offsetPerturbation: Float32Array,
): GaussianParams {
  const rep = config.representation;
  const G = rep.num_gaussians;
  const C = G * 14;
  if (feats.length !== n * C) throw new Error(`decodeGaussians: feats has ${feats.length} values, expected ${n}x${C}`);
  if (coords.length !== n * 4) throw new Error(`decodeGaussians: coords has ${coords.length} values, expected ${n}x4`);
  if (offsetPerturbation.length !== G * 3) throw new Error(`decodeGaussians: offset_perturbation has ${offsetPerturbation.length} values, expected ${G}x3`);
  if (rep.scaling_activation !== 'softplus' && rep.scaling_activation !== 'exp') {
    throw new Error(`decodeGaussians: scaling_activation ${JSON.stringify(rep.scaling_activation)} must be softplus or exp`);
  }
  const R = config.resolution;
  const count = n * G;
  const out: GaussianParams = {
    count,
    xyz: new Float32Array(count * 3),
    featuresDc: new Float32Array(count * 3),
    scaling: new Float32Array(count * 3),
    rotation: new Float32Array(count * 4),
    opacity: new Float32Array(count),
  };
  const lr = rep.lr;
  const halfExtent = (0.5 * rep.voxel_size) / R;
  const sb = rep.scaling_activation === 'softplus' ? rep.scaling_bias + Math.log(-Math.expm1(-rep.scaling_bias)) : Math.log(rep.scaling_bias);
  const scaleAct = rep.scaling_activation === 'softplus' ? softplus : Math.exp;
  const minKernel2 = rep['3d_filter_kernel_size'] ** 2;
  const ob = Math.log(rep.opacity_bias / (1 - rep.opacity_bias));
  // Channel offsets of the layout: _xyz, _features_dc, _scaling, _rotation, _opacity.
  const oXyz = 0, oDc = 3 * G, oScale = 6 * G, oRot = 9 * G, oOp = 13 * G;
  for (let i = 0; i < n; i++) {
    const f = i * C;
    for (let gi = 0; gi < G; gi++) {
      const r = i * G + gi;
      for (let a = 0; a < 3; a++) {
        const center = (coords[i * 4 + 1 + a] + 0.5) / R;
        let off = feats[f + oXyz + gi * 3 + a] * lr._xyz;
        if (rep.perturb_offset) off += offsetPerturbation[gi * 3 + a];
        out.xyz[r * 3 + a] = center + Math.tanh(off) * halfExtent - 0.5;
        out.featuresDc[r * 3 + a] = feats[f + oDc + gi * 3 + a] * lr._features_dc;
        const s = scaleAct(feats[f + oScale + gi * 3 + a] * lr._scaling + sb);
        out.scaling[r * 3 + a] = Math.sqrt(s * s + minKernel2);
      }
      const q = [0, 1, 2, 3].map((c) => feats[f + oRot + gi * 4 + c] * lr._rotation + (c === 0 ? 1 : 0));
      const norm = Math.max(Math.hypot(q[0], q[1], q[2], q[3]), 1e-12);
      for (let c = 0; c < 4; c++) out.rotation[r * 4 + c] = q[c] / norm;
      const o = feats[f + oOp + gi] * lr._opacity + ob;
      out.opacity[r] = 1 / (1 + Math.exp(-o));
    }
  }
  return out;
}
