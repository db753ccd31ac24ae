/** Indexed triangle mesh with per-vertex RGB in 0..1 (reference frame unless noted). */
export interface ColoredMesh {
  positions: Float32Array;
  colors: Float32Array;
  indices: Uint32Array;
}
