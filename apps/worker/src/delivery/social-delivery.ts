import { UnrecoverableError, type Job } from 'bullmq';
import { ProviderError, type ReplyTarget } from '@desk/channels';
import { nextAttemptDelay, type DeliverJobData, type DeliveryWork, type OutboxService, type SocialChannelDriver } from '@desk/core';

/**
 * Sends one social delivery through the channel's adapter, built from the inbox's settings
 * (credentials, base URL: the sandbox in tests and demos). Same rules as email: a temporary
 * ProviderError (429, 5xx, network) is retried by BullMQ with backoff (the provider's Retry-After is not
 * honoured yet beyond that backoff), and a permanent one marks the delivery failed with the provider's text.
 * The network's id of what we posted becomes the message's externalId. `work` is the delivery as
 * the deliver job claimed it for this attempt.
 */
export async function deliverSocial(outbox: OutboxService, driver: SocialChannelDriver, job: Job<DeliverJobData>, work: DeliveryWork): Promise<{ status: string }> {
  const target = (work.delivery.recipient as { target?: ReplyTarget }).target;
  if (!target) {
    const why = 'the delivery has no reply target';
    await outbox.markFailed(work, why);
    throw new UnrecoverableError(why);
  }
  let adapter;
  try {
    adapter = driver.outbound(work.inbox.settings);
  } catch (e) {
    const why = `the inbox's ${work.thread.channel} settings are incomplete: ${(e as Error).message}`;
    await outbox.markFailed(work, why);
    throw new UnrecoverableError(why);
  }
  try {
    const result = await adapter.send({ text: work.message.bodyText, target });
    await outbox.markSent(work, { providerMessageId: result.providerMessageId, relayMessageId: null, warning: null, externalId: result.providerMessageId });
    return { status: 'sent' };
  } catch (err) {
    const answer = err instanceof ProviderError ? (err.providerMessage ?? err.message) : (err as Error).message;
    const attempt = job.attemptsMade + 1;
    const maxAttempts = job.opts.attempts ?? 1;
    if (adapter.classifySendError(err) === 'permanent') {
      await outbox.markFailed(work, answer);
      throw new UnrecoverableError(answer);
    }
    if (attempt >= maxAttempts) {
      const why = `gave up after ${attempt} attempts: ${answer}`;
      await outbox.markFailed(work, why);
      throw new UnrecoverableError(why);
    }
    await outbox.markRetrying(work, answer, new Date(Date.now() + nextAttemptDelay(attempt)));
    throw err instanceof Error ? err : new Error(answer);
  }
}
