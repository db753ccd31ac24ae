import type { ValidationIssue } from './types.ts';

/**
 * A rejected request, in the shape fal answers with HTTP 422: `{ detail: [{loc, msg, type}] }`.
 * `detail` lists every problem found, not just the first.
 */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  readonly status = 422;
  readonly detail: ValidationIssue[];

  constructor(detail: ValidationIssue[]) {
    super(
      detail.length === 1
        ? `invalid request: ${detail[0]!.msg}`
        : `invalid request (${detail.length} problems): ${detail.map((d) => d.msg).join('; ')}`,
    );
    this.detail = detail;
  }

  /** fal-js ApiError compatibility: the response body. */
  get body(): { detail: ValidationIssue[] } {
    return { detail: this.detail };
  }

  toJSON(): { detail: ValidationIssue[] } {
    return this.body;
  }
}
