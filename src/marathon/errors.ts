// Errors raised when talking to Marathon. Each carries a stable `code` and whether retrying
// later can help, so the controller can decide without parsing messages. Messages name the
// Marathon URL with credentials stripped and never include Authorization headers.

import { redactUrl } from './redact.js';

export class MarathonError extends Error {
  readonly code: string;
  readonly retryable: boolean;

  constructor(message: string, code: string, retryable: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MarathonError';
    this.code = code;
    this.retryable = retryable;
  }
}

/** No configured Marathon gave a usable answer (network errors, timeouts, elections). */
export class MarathonUnavailableError extends MarathonError {
  /** One line per URL tried, credentials stripped. */
  readonly attempts: readonly string[];

  constructor(attempts: readonly string[], options?: { cause?: unknown }) {
    super(
      `no Marathon answered: ${attempts.join('; ')}`,
      'ERR_MARATHON_UNAVAILABLE',
      true,
      options,
    );
    this.name = 'MarathonUnavailableError';
    this.attempts = attempts;
  }
}

/** Marathon refused our credentials (401) or our identity's permissions (403). */
export class MarathonAuthError extends MarathonError {
  readonly status: 401 | 403;
  readonly url: string;

  constructor(status: 401 | 403, url: string) {
    const safe = redactUrl(url);
    super(
      status === 401
        ? `Marathon at ${safe} rejected the credentials (401 Unauthorized)`
        : `Marathon at ${safe} denied access (403 Forbidden)`,
      'ERR_MARATHON_AUTH',
      false,
    );
    this.name = 'MarathonAuthError';
    this.status = status;
    this.url = safe;
  }
}

/** Marathon answered with an error status that is not about auth or availability. */
export class MarathonHttpError extends MarathonError {
  readonly status: number;
  readonly url: string;
  /** Marathon's `{"message": ...}` when the body had one. */
  readonly marathonMessage: string | undefined;

  constructor(status: number, url: string, marathonMessage: string | undefined) {
    const safe = redactUrl(url);
    super(
      `Marathon at ${safe} answered ${status}${marathonMessage ? `: ${marathonMessage}` : ''}`,
      'ERR_MARATHON_HTTP',
      status >= 500,
    );
    this.name = 'MarathonHttpError';
    this.status = status;
    this.url = safe;
    this.marathonMessage = marathonMessage;
  }
}

/** Marathon answered 2xx but the body is not what the API promises. */
export class MarathonResponseError extends MarathonError {
  constructor(message: string) {
    super(message, 'ERR_MARATHON_BAD_RESPONSE', true);
    this.name = 'MarathonResponseError';
  }
}
