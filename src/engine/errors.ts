// Errors that keep a machine-readable code across the worker boundary. Comlink's default
// handler for thrown values keeps only name/message/stack, so we replace it with one that
// round-trips EngineError (and wraps anything else as INTERNAL, keeping the message).
import * as Comlink from 'comlink';
import type { EngineErrorCode, SerializedEngineError } from './protocol.ts';

export const ENGINE_ERROR_CODES: readonly EngineErrorCode[] = [
  'WEBGPU_UNAVAILABLE',
  'MODEL_MISSING',
  'MODEL_CORRUPT',
  'OUT_OF_MEMORY',
  'DEVICE_LOST',
  'BAD_IMAGE',
  'NO_FOREGROUND',
  'NO_BACKGROUND_MODEL',
  'BAD_REQUEST',
  'CANCELLED',
  'INTERNAL',
];

export class EngineError extends Error {
  override readonly name = 'EngineError';
  readonly code: EngineErrorCode;
  readonly detail?: unknown;

  constructor(code: EngineErrorCode, message: string, options?: { detail?: unknown; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options?.detail !== undefined) this.detail = options.detail;
  }
}

export function isEngineErrorCode(value: unknown): value is EngineErrorCode {
  return typeof value === 'string' && (ENGINE_ERROR_CODES as readonly string[]).includes(value);
}

export function serializeEngineError(error: EngineError): SerializedEngineError {
  const out: SerializedEngineError = { name: 'EngineError', code: error.code, message: error.message };
  if (error.detail !== undefined) out.detail = error.detail;
  return out;
}

export function deserializeEngineError(value: SerializedEngineError): EngineError {
  if (!isEngineErrorCode(value.code)) {
    return new EngineError('INTERNAL', `unknown engine error code ${JSON.stringify(value.code)}: ${value.message}`);
  }
  return new EngineError(value.code, value.message, value.detail === undefined ? undefined : { detail: value.detail });
}

/** An AbortSignal's reason, or any thrown value, as an EngineError. */
export function toEngineError(error: unknown): EngineError {
  if (error instanceof EngineError) return error;
  if (error instanceof DOMException && error.name === 'AbortError') {
    return new EngineError('CANCELLED', 'generation cancelled', { cause: error });
  }
  if (error instanceof Error) return new EngineError('INTERNAL', error.message || error.name, { cause: error });
  return new EngineError('INTERNAL', `non-error thrown: ${String(error)}`);
}

/** Throws CANCELLED if the signal has fired. Engines call this between model calls. */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new EngineError('CANCELLED', 'generation cancelled');
}

/** Our wire form, or the stock one ({isError, value}) when the sender runs Comlink's default. */
interface ThrownWire {
  engineError?: SerializedEngineError;
}

let installed = false;

/**
 * Replaces Comlink's 'throw' transfer handler (process-wide, idempotent). Must run on both
 * sides of the boundary: the worker serialises, the main thread deserialises.
 */
export function installEngineErrorTransfer(): void {
  if (installed) return;
  const original = Comlink.transferHandlers.get('throw');
  if (!original) throw new Error("comlink has no 'throw' transfer handler to extend");
  Comlink.transferHandlers.set('throw', {
    canHandle: original.canHandle,
    serialize(thrown: unknown): [ThrownWire, Transferable[]] {
      const value = (thrown as { value: unknown }).value;
      // Everything that crosses the boundary becomes an EngineError so the UI always has a code.
      return [{ engineError: serializeEngineError(toEngineError(value)) }, []];
    },
    deserialize(wire: ThrownWire): never {
      if (wire.engineError) throw deserializeEngineError(wire.engineError);
      // Only reachable when the other side runs Comlink's stock handler.
      return original.deserialize(wire) as never;
    },
  } as Comlink.TransferHandler<unknown, ThrownWire>);
  installed = true;
}
