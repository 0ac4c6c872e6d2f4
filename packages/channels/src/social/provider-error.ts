import type { SendErrorClass } from '../adapter';

/** A call to a network's API failed: `classification` says whether retrying can help. */
export class ProviderError extends Error {
  readonly provider: string;
  /** HTTP status, or null when no response came (network failure). */
  readonly status: number | null;
  readonly classification: SendErrorClass;
  /** The provider's own error text, as it gave it. */
  readonly providerMessage: string | null;
  /** The provider's error code (X `type`/`code`, Graph `code`), when present. */
  readonly providerCode: string | null;
  /** Seconds to wait before retrying, from Retry-After or the rate-limit reset header. */
  readonly retryAfterSeconds: number | null;

  constructor(init: {
    provider: string;
    status: number | null;
    classification: SendErrorClass;
    providerMessage: string | null;
    providerCode?: string | null;
    retryAfterSeconds?: number | null;
    cause?: unknown;
  }) {
    const where = init.status === null ? 'network error' : `HTTP ${init.status}`;
    super(`${init.provider} API ${where}: ${init.providerMessage ?? 'no message'}`, { cause: init.cause });
    this.name = 'ProviderError';
    this.provider = init.provider;
    this.status = init.status;
    this.classification = init.classification;
    this.providerMessage = init.providerMessage;
    this.providerCode = init.providerCode ?? null;
    this.retryAfterSeconds = init.retryAfterSeconds ?? null;
  }
}

/** An outgoing message breaks a channel rule (length, emptiness); `field` names the offending input. */
export class ChannelValidationError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'ChannelValidationError';
  }
}

/** HTTP status alone: 408, 429 and 5xx are worth retrying, any other 4xx is not. */
export function classifyHttpStatus(status: number): SendErrorClass {
  if (status === 408 || status === 429 || status >= 500) return 'temporary';
  if (status >= 400) return 'permanent';
  return 'temporary';
}

/**
 * Classification of anything a send may throw: a ProviderError knows its class, a validation
 * error is permanent (the same text fails again), anything else (network, timeout) is temporary.
 */
export function classifyProviderError(err: unknown): SendErrorClass {
  if (err instanceof ProviderError) return err.classification;
  if (err instanceof ChannelValidationError) return 'permanent';
  return 'temporary';
}
