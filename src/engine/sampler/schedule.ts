// Time grid of FlowEulerSampler.sample: numpy.linspace(1, 0, steps + 1) in float64, then the
// rescale t' = r·t / (1 + (r − 1)·t), then consecutive pairs.

/** numpy.linspace(start, stop, num) (endpoint=True) with numpy's own float64 arithmetic. */
export function numpyLinspace(start: number, stop: number, num: number): Float64Array {
  if (!Number.isInteger(num) || num < 0) throw new RangeError(`linspace num must be a non-negative integer, got ${num}`);
  const out = new Float64Array(num);
  const div = num - 1;
  const delta = stop - start;
  const step = delta / div;
  for (let i = 0; i < num; i++) {
    // numpy: y = arange(num)·step, or (arange / div)·delta when step == 0, or arange·delta when
    // div == 0 (a single point); then y += start.
    const y = div <= 0 ? i * delta : step === 0 ? (i / div) * delta : i * step;
    out[i] = y + start;
  }
  if (num > 1) out[num - 1] = stop;
  return out;
}

export function rescaleTime(t: number, rescaleT: number): number {
  return (rescaleT * t) / (1 + (rescaleT - 1) * t);
}

/** The (t, t_prev) pairs the reference iterates over, float64. */
export function timePairs(steps: number, rescaleT: number): [number, number][] {
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`steps must be an integer >= 1, got ${steps}`);
  const t = Array.from(numpyLinspace(1, 0, steps + 1), (v) => rescaleTime(v, rescaleT));
  const pairs: [number, number][] = [];
  for (let i = 0; i < steps; i++) pairs.push([t[i], t[i + 1]]);
  return pairs;
}

/** GuidanceIntervalSamplerMixin: CFG applies iff lo <= t <= hi on the float64 t. */
export function inGuidanceInterval(t: number, interval: [number, number]): boolean {
  return interval[0] <= t && t <= interval[1];
}

/** The model timestep: torch.tensor([1000 * t], dtype=float32). */
export function modelTimestep(t: number): number {
  return Math.fround(1000 * t);
}
