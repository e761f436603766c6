/**
 * Errors the twin raises at its public face for a request it cannot carry
 * out in the cluster's current state (not a bug, not bad input): a code the
 * caller can act on, and a message that says why.
 *
 * @example
 *   try { twin.installChange(i, spec); } catch (e) { if (e instanceof TwinError && e.code === 'change-busy') respond409(e.message); }
 */

export type TwinErrorCode = 'change-busy' | 'unknown-level';

export class TwinError extends Error {
  readonly code: TwinErrorCode;
  constructor(code: TwinErrorCode, message: string) {
    super(message);
    this.name = 'TwinError';
    this.code = code;
  }
}
