// Exit codes of zdd.py, kept so scripts around it keep working, and the one error type that
// carries them. Pure.

export const EXIT = {
  done: 0,
  /** Declined: at a prompt, or by the pre-kill hook. */
  declined: 1,
  error: 2,
  /** --complete-cur/--complete-prev without a hybrid deployment to complete. */
  noHybrid: 3,
  /** The app definition lacks a required label or a service port. */
  missing: 4,
  lbUnreachable: 5,
  marathonUnreachable: 6,
  createFailed: 7,
  deleteFailed: 8,
  scaleFailed: 9,
} as const;

export class ZddError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
    this.name = 'ZddError';
  }
}
