// Public API of Trellis Web.
export * from './types.ts';
export { ValidationError } from './validation-error.ts';
export {
  COMMON_FIELDS,
  MULTI_FIELDS,
  ENDPOINT_IDS,
  TEXTURE_SIZES,
  MULTIIMAGE_ALGOS,
  checkInput,
  validateInput,
  validateTrellisInput,
  validateMultiInput,
  isEndpointId,
  assertEndpointId,
  randomSeed,
} from './schema.ts';
export type { ParamFieldSpec, NumberFieldSpec, EnumFieldSpec, CheckResult } from './schema.ts';
export { createTrellis, resolveManifestUrl, DEFAULT_MODELS_URL } from './client.ts';
export type { TrellisClient, TrellisClientOptions } from './client.ts';
export { createFalClient } from './fal-adapter.ts';
export type { FalClient, FalQueue, QueueStatus, QueueLog, FalResult, GenerationRunner } from './fal-adapter.ts';
export type { GlbBuilder, GlbBuildOptions, GlbBuildResult } from './glb-builder.ts';
export { formatProgress } from './progress-format.ts';
export { EngineError } from '../engine/errors.ts';
export type { EngineErrorCode, ProgressEvent, ProgressCallback, DevicePreference } from '../engine/protocol.ts';
