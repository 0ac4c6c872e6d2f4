import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { ThreadDetail } from '@desk/contracts';
import { message, threadSummary } from '../test/factories';
import { jsonResponse, mockFetch, renderAt } from '../test/render';
import { Composer } from './Composer';

const me = { id: '00000000-0000-4000-8000-0000000000a1', name: 'Alice Agent', email: 'alice@desk.test', role: 'agent', availability: 'online', capacity: 10, teamIds: [] };

function detail(overrides: Partial<ThreadDetail> = {}): ThreadDetail {
  return { ...threadSummary({ subject: 'Broken kettle', version: 7 }), linkedThreadId: null, resolvedAt: null, ...overrides };
}

describe('Composer', () => {
  it('sends with seenVersion, shows the collision dialog on 409, then sends anyway with force', async () => {
    const thread = detail();
    const arrived = message({ threadId: thread.id, bodyText: 'Actually, it works now!' });
    const sent = message({ threadId: thread.id, direction: 'outbound', bodyText: 'We will send a new one', deliveryState: 'queued' });
    let posts = 0;
    const { calls } = mockFetch({
      'GET /api/auth/me': () => jsonResponse(200, me),
      [`POST /api/threads/${thread.id}/messages`]: () => {
        posts += 1;
        return posts === 1
          ? jsonResponse(409, { statusCode: 409, error: 'Conflict', message: 'new messages arrived', newMessages: [arrived] })
          : jsonResponse(201, sent);
      },
    });
    renderAt('/t', [{ path: '/t', element: <Composer thread={thread} /> }]);
    const user = userEvent.setup();

    // email: recipients and subject prefilled
    expect(screen.getByTestId('composer-to')).toHaveValue(thread.contact.primaryEmail);
    expect(screen.getByTestId('composer-subject')).toHaveValue('Re: Broken kettle');

    await user.type(screen.getByTestId('composer-body'), 'We will send a new one');
    await user.click(screen.getByTestId('composer-send'));

    const dialog = await screen.findByTestId('collision-warning');
    expect(within(dialog).getByText('Actually, it works now!')).toBeInTheDocument();
    const posted = calls.filter((c) => c.init?.method === 'POST');
    expect(JSON.parse(String(posted[0]!.init!.body))).toMatchObject({
      kind: 'reply',
      body: 'We will send a new one',
      seenVersion: 7,
      to: [thread.contact.primaryEmail],
      subject: 'Re: Broken kettle',
    });
    expect(JSON.parse(String(posted[0]!.init!.body)).force).toBeUndefined();

    await user.click(within(dialog).getByTestId('collision-send-anyway'));
    await waitFor(() => expect(screen.queryByTestId('collision-warning')).not.toBeInTheDocument());
    const second = calls.filter((c) => c.init?.method === 'POST')[1]!;
    expect(JSON.parse(String(second.init!.body))).toMatchObject({ force: true, seenVersion: 7, body: 'We will send a new one' });
    await waitFor(() => expect(screen.getByTestId('composer-body')).toHaveValue(''));
  });

  it('Review closes the dialog without sending again', async () => {
    const thread = detail();
    const { calls } = mockFetch({
      'GET /api/auth/me': () => jsonResponse(200, me),
      [`POST /api/threads/${thread.id}/messages`]: () =>
        jsonResponse(409, { statusCode: 409, error: 'Conflict', message: 'new', newMessages: [message({ threadId: thread.id })] }),
    });
    renderAt('/t', [{ path: '/t', element: <Composer thread={thread} /> }]);
    const user = userEvent.setup();
    await user.type(screen.getByTestId('composer-body'), 'hi');
    await user.click(screen.getByTestId('composer-send'));
    await user.click(within(await screen.findByTestId('collision-warning')).getByTestId('collision-review'));
    await waitFor(() => expect(screen.queryByTestId('collision-warning')).not.toBeInTheDocument());
    expect(calls.filter((c) => c.init?.method === 'POST')).toHaveLength(1);
    expect(screen.getByTestId('composer-body')).toHaveValue('hi');
  });

  it('counts X characters for public replies and blocks at 281, but not for notes', async () => {
    const thread = detail({ channel: 'x' });
    mockFetch({ 'GET /api/auth/me': () => jsonResponse(200, me) });
    renderAt('/t', [{ path: '/t', element: <Composer thread={thread} /> }]);
    const user = userEvent.setup();
    const body = screen.getByTestId('composer-body');
    expect(screen.queryByTestId('composer-to')).not.toBeInTheDocument();

    await user.click(body);
    await user.paste('a'.repeat(280));
    expect(screen.getByTestId('composer-counter')).toHaveTextContent('280/280');
    expect(screen.getByTestId('composer-send')).toBeEnabled();

    await user.type(body, 'b');
    expect(screen.getByTestId('composer-counter')).toHaveTextContent('281/280');
    expect(screen.getByTestId('composer-send')).toBeDisabled();

    await user.click(within(screen.getByTestId('composer-kind')).getByText('Internal note'));
    expect(screen.queryByTestId('composer-counter')).not.toBeInTheDocument();
    expect(screen.getByTestId('composer-send')).toBeEnabled();
  });

  it('shows who else is typing', async () => {
    const thread = detail();
    mockFetch({ 'GET /api/auth/me': () => jsonResponse(200, me) });
    renderAt('/t', [
      {
        path: '/t',
        element: (
          <Composer
            thread={thread}
            viewers={[
              { agentId: me.id, name: 'Alice Agent', typing: true },
              { agentId: '00000000-0000-4000-8000-0000000000b2', name: 'Bob', typing: true },
            ]}
          />
        ),
      },
    ]);
    await waitFor(() => expect(screen.getByTestId('typing-indicator')).toHaveTextContent('Bob is typing'));
  });
});
