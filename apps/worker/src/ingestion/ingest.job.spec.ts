import { DelayedError, type Job } from 'bullmq';
import type { IngestBatcher, IngestJobData, IngestOutcome, IngestProcessor } from '@desk/core';
import { IngestJob, PARENT_RECHECK_MS, PARENT_WAIT_MAX_MS } from './ingest.job';

const waiting: IngestOutcome = { outcome: 'waiting', reason: 'the mail it answers is not threaded yet', parentEventId: 'parent' };
const processed: IngestOutcome = { outcome: 'processed', messageId: 'm', threadId: 't', isNewThread: true, decision: { rule: 'new', detail: 'new thread: no key matched', threadId: null } };

function setup(first: IngestOutcome) {
  const process = jest.fn<Promise<IngestOutcome>, [string, { waitForParent?: boolean; waitedBefore?: boolean }?]>().mockResolvedValue(processed);
  const batched = jest.fn<Promise<IngestOutcome>, [string]>().mockResolvedValue(first);
  const handler = new IngestJob({ process } as unknown as IngestProcessor, { process: batched } as unknown as IngestBatcher);
  return { handler, process, batched };
}

function job(data: IngestJobData) {
  const j = {
    data,
    attemptsMade: 0,
    opts: { attempts: 5 },
    updateData: jest.fn(async (d: IngestJobData) => void (j.data = d)),
    moveToDelayed: jest.fn(async () => undefined),
  };
  return j;
}

describe('IngestJob waiting for the mail a reply answers', () => {
  it('moves the job back to delayed, remembering since when, and looks again sooner first, then less often', async () => {
    const { handler } = setup(waiting);
    const j = job({ eventId: 'e1' });
    const before = Date.now();
    await expect(handler.handle(j as unknown as Job<IngestJobData>, 'token')).rejects.toBeInstanceOf(DelayedError);
    expect(j.data).toEqual({ eventId: 'e1', waitingSince: expect.any(Number), waits: 1 });
    const [at, token] = j.moveToDelayed.mock.calls[0] as unknown as [number, string];
    expect(token).toBe('token');
    expect(at - before).toBeGreaterThanOrEqual(PARENT_RECHECK_MS);
    expect(at - Date.now()).toBeLessThanOrEqual(PARENT_RECHECK_MS);
  });

  it('runs a job that waited before alone (not in a batch), with growing pauses up to 10 s', async () => {
    const { handler, process, batched } = setup(waiting);
    process.mockResolvedValue(waiting);
    const j = job({ eventId: 'e2', waitingSince: Date.now(), waits: 6 });
    await expect(handler.handle(j as unknown as Job<IngestJobData>, 'token')).rejects.toBeInstanceOf(DelayedError);
    expect(batched).not.toHaveBeenCalled();
    // a look after a wait: of two mails of one instant only one waits for the other (IngestProcessor)
    expect(process).toHaveBeenCalledWith('e2', { waitedBefore: true });
    const [at] = j.moveToDelayed.mock.calls[0] as unknown as [number];
    expect(at - Date.now()).toBeGreaterThan(9_000);
    expect(at - Date.now()).toBeLessThanOrEqual(10_000);
  });

  it('threads the mail without waiting once it has waited PARENT_WAIT_MAX_MS', async () => {
    const { handler, process } = setup(waiting);
    process.mockResolvedValueOnce(waiting).mockResolvedValueOnce(processed);
    const j = job({ eventId: 'e3', waitingSince: Date.now() - PARENT_WAIT_MAX_MS - 1, waits: 12 });
    await expect(handler.handle(j as unknown as Job<IngestJobData>, 'token')).resolves.toEqual(processed);
    expect(process).toHaveBeenLastCalledWith('e3', { waitForParent: false });
    expect(j.moveToDelayed).not.toHaveBeenCalled();
  });
});
