export { sampleFlowEuler, predictX0 } from './flow-euler.ts';
export { numpyLinspace, rescaleTime, timePairs, inGuidanceInterval, modelTimestep } from './schedule.ts';
export type {
  CondRef, VelocityFn, VelocityPairFn, SamplerParams, SampleOptions, SampleResult, SampleTrace, MultiImageAlgo,
} from './types.ts';
