import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { message, threadDetail, threadSummary } from '../test/factories';
import { jsonResponse, mockFetch, renderAt } from '../test/render';
import { MessageItem } from './MessageItem';
import { ThreadHeader } from './ThreadHeader';

const body = (init: RequestInit | undefined) => JSON.parse(String(init?.body)) as Record<string, unknown>;

describe('merge into another thread (ThreadHeader)', () => {
  function setup(mergeAnswer: (ids: { source: string; target: string }) => Response) {
    const thread = threadDetail({ subject: 'Parcel late' });
    const sameCustomer = threadSummary({ contact: thread.contact, subject: 'Where is my parcel?' });
    const older = threadSummary({ contact: thread.contact, subject: 'Old question', status: 'resolved' });
    const { calls } = mockFetch({
      'GET /api/agents': () => jsonResponse(200, []),
      [`GET /api/contacts/${thread.contact.id}/threads`]: () => jsonResponse(200, { items: [thread, sameCustomer, older], nextCursor: null }),
      [`POST /api/threads/${thread.id}/merge`]: (_url, init) => mergeAnswer({ source: thread.id, target: String(body(init).targetThreadId) }),
    });
    renderAt('/t', [{ path: '/t', element: <ThreadHeader thread={thread} viewers={[]} /> }]);
    return { thread, sameCustomer, older, calls, user: userEvent.setup() };
  }

  async function openModal(user: ReturnType<typeof userEvent.setup>) {
    await user.click(screen.getByTestId('thread-actions'));
    await user.click(await screen.findByTestId('thread-merge'));
    return screen.findByTestId('merge-thread-modal');
  }

  it('offers the customer’s other threads and sends the picked target with the reason', async () => {
    const s = setup(({ source, target }) =>
      jsonResponse(200, {
        sourceThread: threadDetail({ id: source, status: 'resolved', mergedIntoThreadId: target, mergedIntoThreadNumber: 77 }),
        targetThread: threadDetail({ id: target, number: 77 }),
        movedMessageIds: [],
      }),
    );
    const dialog = await openModal(s.user);

    const select = within(dialog).getByTestId('merge-thread-target');
    await waitFor(() => expect(within(select).getAllByRole('option')).toHaveLength(3));
    // the thread on screen is not a target
    expect(within(select).queryByText(new RegExp(`#${s.thread.number} `))).toBeNull();

    await s.user.selectOptions(select, s.sameCustomer.id);
    // the reason is mandatory
    expect(within(dialog).getByTestId('merge-thread-submit')).toBeDisabled();
    await s.user.type(within(dialog).getByTestId('merge-thread-reason'), 'same parcel');
    await s.user.click(within(dialog).getByTestId('merge-thread-submit'));

    await waitFor(() => expect(s.calls.some((c) => c.init?.method === 'POST')).toBe(true));
    const post = s.calls.find((c) => c.init?.method === 'POST')!;
    expect(post.url.pathname).toBe(`/api/threads/${s.thread.id}/merge`);
    expect(body(post.init)).toEqual({ targetThreadId: s.sameCustomer.id, reason: 'same parcel' });
    await waitFor(() => expect(screen.queryByTestId('merge-thread-modal')).toBeNull());
  });

  it('shows the server’s refusal under the target field', async () => {
    const s = setup(() =>
      jsonResponse(422, {
        statusCode: 422,
        error: 'Unprocessable Entity',
        message: 'targetThreadId: thread #9 belongs to another contact',
        fields: [{ path: 'targetThreadId', message: 'thread #9 belongs to another contact' }],
      }),
    );
    const dialog = await openModal(s.user);
    const select = within(dialog).getByTestId('merge-thread-target');
    await waitFor(() => expect(within(select).getAllByRole('option')).toHaveLength(3));
    await s.user.selectOptions(select, s.older.id);
    await s.user.type(within(dialog).getByTestId('merge-thread-reason'), 'duplicate');
    await s.user.click(within(dialog).getByTestId('merge-thread-submit'));
    expect(await within(dialog).findByText('thread #9 belongs to another contact')).toBeInTheDocument();
    expect(screen.getByTestId('merge-thread-modal')).toBeInTheDocument();
  });

  it('a merged thread says where it went and links there, and cannot be merged again', async () => {
    mockFetch({ 'GET /api/agents': () => jsonResponse(200, []) });
    const target = '00000000-0000-4000-8000-00000000beef';
    const thread = threadDetail({ status: 'resolved', mergedIntoThreadId: target, mergedIntoThreadNumber: 4321 });
    renderAt('/t', [{ path: '/t', element: <ThreadHeader thread={thread} viewers={[]} /> }]);
    expect(screen.getByTestId('thread-merged-into')).toHaveTextContent('Merged into #4321');
    expect(screen.getByTestId('thread-merged-into-link')).toHaveAttribute('href', `/threads/${target}`);
    await userEvent.setup().click(screen.getByTestId('thread-actions'));
    expect(await screen.findByTestId('thread-merge')).toBeDisabled();
  });
});

describe('move a message to a new thread (MessageItem)', () => {
  it('sends that one message with the optional subject and reason', async () => {
    const m = message({ bodyText: 'Also, my invoice is wrong' });
    const fresh = threadDetail({ number: 5555 });
    const { calls } = mockFetch({
      [`POST /api/threads/${m.threadId}/split`]: () => jsonResponse(201, { sourceThread: threadDetail({ id: m.threadId }), newThread: fresh, movedMessageIds: [m.id] }),
    });
    renderAt('/t', [{ path: '/t', element: <MessageItem message={m} /> }]);
    const user = userEvent.setup();
    await user.click(screen.getByTestId('message-actions'));
    await user.click(await screen.findByTestId('message-split'));
    const dialog = await screen.findByTestId('split-modal');
    await user.type(within(dialog).getByTestId('split-subject'), 'Invoice');
    await user.click(within(dialog).getByTestId('split-submit'));

    await waitFor(() => expect(calls).toHaveLength(1));
    expect(body(calls[0]!.init)).toEqual({ messageIds: [m.id], subject: 'Invoice' });
    expect(await screen.findByText('Moved to the new thread #5555')).toBeInTheDocument();
  });
});
