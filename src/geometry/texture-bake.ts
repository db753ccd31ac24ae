// Bake per-vertex colours into a texture: rasterise every triangle in UV space (texel centres),
// interpolate colours barycentrically, then grow the charts outward by `dilate` texels so
// bilinear/mip-mapped sampling near chart borders never reads unbaked texels. Texels still
// empty after dilation get the mean baked colour (the reference inpaints them with OpenCV
// TELEA; both only matter for mip levels).
//
// Image convention: row 0 is the top of the PNG and corresponds to glTF v = 0; glTF
// v = 1 − v_xatlas (spec §8.7), so texel row y covers v_xatlas ∈ [1 − (y+1)/S, 1 − y/S].

export interface BakeInput {
  uvs: Float32Array;
  colors: Float32Array;
  indices: Uint32Array;
}

export interface BakeOptions {
  /** Texels to grow charts by (default 8, at least 4). */
  dilate?: number;
}

export interface BakedTexture {
  size: number;
  /** RGBA8, row-major, row 0 = top */
  rgba: Uint8Array;
  /** fraction of texels covered by a triangle */
  coverage: number;
}

export function bakeVertexColors(mesh: BakeInput, size: number, opts: BakeOptions = {}): BakedTexture {
  if (![512, 1024, 2048].includes(size)) throw new Error(`texture bake: texture_size must be 512, 1024 or 2048, got ${size}`);
  const dilate = Math.max(4, opts.dilate ?? 8);
  const rgb = new Float32Array(size * size * 3);
  const filled = new Uint8Array(size * size);
  const { uvs, colors, indices } = mesh;
  const F = indices.length / 3;
  // Pass 1 fills texels whose centre lies in a triangle. Pass 2 gives texels still empty that a
  // triangle touches (centre within 0.75 texel) the colour at the nearest point: thin slivers
  // and chart tips would otherwise only get dilated colour from whatever is nearby.
  for (let pass = 1; pass <= 2; pass++) {
    for (let f = 0; f < F; f++) rasterTriangle(f, pass === 2);
  }
  function rasterTriangle(f: number, conservative: boolean): void {
    const a = indices[3 * f];
    const b = indices[3 * f + 1];
    const c = indices[3 * f + 2];
    const ax = uvs[2 * a] * size;
    const ay = (1 - uvs[2 * a + 1]) * size;
    const bx = uvs[2 * b] * size;
    const by = (1 - uvs[2 * b + 1]) * size;
    const cx = uvs[2 * c] * size;
    const cy = (1 - uvs[2 * c + 1]) * size;
    const area = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
    if (area === 0) return;
    const inv = 1 / area;
    const grow = conservative ? 0.75 : 0;
    // Barycentric tolerance per vertex: `grow` texels from the opposite edge.
    const ta = conservative ? (-grow * Math.hypot(cx - bx, cy - by)) / Math.abs(area) : -1e-6;
    const tb = conservative ? (-grow * Math.hypot(ax - cx, ay - cy)) / Math.abs(area) : -1e-6;
    const tc = conservative ? (-grow * Math.hypot(bx - ax, by - ay)) / Math.abs(area) : -1e-6;
    const x0 = Math.max(0, Math.floor(Math.min(ax, bx, cx) - 0.5 - grow));
    const x1 = Math.min(size - 1, Math.ceil(Math.max(ax, bx, cx) - 0.5 + grow));
    const y0 = Math.max(0, Math.floor(Math.min(ay, by, cy) - 0.5 - grow));
    const y1 = Math.min(size - 1, Math.ceil(Math.max(ay, by, cy) - 0.5 + grow));
    for (let y = y0; y <= y1; y++) {
      const py = y + 0.5;
      for (let x = x0; x <= x1; x++) {
        const t = y * size + x;
        if (conservative && filled[t]) continue;
        const px = x + 0.5;
        let wa = ((bx - px) * (cy - py) - (by - py) * (cx - px)) * inv;
        let wb = ((cx - px) * (ay - py) - (cy - py) * (ax - px)) * inv;
        let wc = 1 - wa - wb;
        if (wa < ta || wb < tb || wc < tc) continue;
        if (conservative) {
          wa = Math.max(0, wa);
          wb = Math.max(0, wb);
          wc = Math.max(0, wc);
          const sum = wa + wb + wc;
          wa /= sum;
          wb /= sum;
          wc /= sum;
        }
        for (let k = 0; k < 3; k++) rgb[3 * t + k] = wa * colors[3 * a + k] + wb * colors[3 * b + k] + wc * colors[3 * c + k];
        filled[t] = conservative ? 2 : 1;
      }
    }
  }
  for (let t = 0; t < filled.length; t++) if (filled[t] === 2) filled[t] = 1;
  let covered = 0;
  for (let t = 0; t < filled.length; t++) covered += filled[t];
  dilateCharts(rgb, filled, size, dilate);

  let mr = 0;
  let mg = 0;
  let mb = 0;
  let n = 0;
  for (let t = 0; t < filled.length; t++) {
    if (!filled[t]) continue;
    mr += rgb[3 * t];
    mg += rgb[3 * t + 1];
    mb += rgb[3 * t + 2];
    n++;
  }
  const mean = n ? [mr / n, mg / n, mb / n] : [0.5, 0.5, 0.5];
  const rgba = new Uint8Array(size * size * 4);
  for (let t = 0; t < filled.length; t++) {
    for (let k = 0; k < 3; k++) {
      const v = filled[t] ? rgb[3 * t + k] : mean[k];
      rgba[4 * t + k] = Math.round(Math.min(1, Math.max(0, v)) * 255);
    }
    rgba[4 * t + 3] = 255;
  }
  return { size, rgba, coverage: covered / filled.length };
}

/** Each pass gives every empty texel touching a filled one the mean of its filled 8-neighbours. */
function dilateCharts(rgb: Float32Array, filled: Uint8Array, size: number, passes: number): void {
  let frontier: number[] = [];
  for (let t = 0; t < filled.length; t++) if (!filled[t] && touchesFilled(filled, size, t)) frontier.push(t);
  const fresh: number[] = [];
  for (let p = 0; p < passes && frontier.length; p++) {
    fresh.length = 0;
    for (const t of frontier) {
      const x = t % size;
      const y = (t - x) / size;
      let r = 0;
      let g = 0;
      let b = 0;
      let n = 0;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= size) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= size || (dx === 0 && dy === 0)) continue;
          const u = yy * size + xx;
          if (filled[u] !== 1) continue;
          r += rgb[3 * u];
          g += rgb[3 * u + 1];
          b += rgb[3 * u + 2];
          n++;
        }
      }
      if (n === 0) continue;
      rgb[3 * t] = r / n;
      rgb[3 * t + 1] = g / n;
      rgb[3 * t + 2] = b / n;
      fresh.push(t);
    }
    // Mark only after the pass, so each pass grows the charts by exactly one texel.
    for (const t of fresh) filled[t] = 1;
    const next: number[] = [];
    for (const t of fresh) {
      const x = t % size;
      const y = (t - x) / size;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          const yy = y + dy;
          if (xx < 0 || yy < 0 || xx >= size || yy >= size) continue;
          const u = yy * size + xx;
          if (filled[u] === 0) {
            filled[u] = 3; // queued
            next.push(u);
          }
        }
      }
    }
    for (const u of next) filled[u] = 0;
    frontier = next;
  }
}

function touchesFilled(filled: Uint8Array, size: number, t: number): boolean {
  const x = t % size;
  const y = (t - x) / size;
  for (let dy = -1; dy <= 1; dy++) {
    for (let dx = -1; dx <= 1; dx++) {
      const xx = x + dx;
      const yy = y + dy;
      if (xx < 0 || yy < 0 || xx >= size || yy >= size) continue;
      if (filled[yy * size + xx] === 1) return true;
    }
  }
  return false;
}
