import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { CannedReply, Contact, Message, ThreadDetail } from '@desk/contracts';
import { message, threadSummary } from '../test/factories';
import { jsonResponse, mockFetch, renderAt } from '../test/render';
import { keys } from '../api/keys';
import { Composer } from './Composer';

const me = { id: '00000000-0000-4000-8000-0000000000a1', name: 'Alice Agent', email: 'alice@desk.test', role: 'agent', availability: 'online', capacity: 10, teamIds: [] };

function detail(overrides: Partial<ThreadDetail> = {}): ThreadDetail {
  return { ...threadSummary({ subject: 'Broken kettle', version: 7 }), linkedThreadId: null, resolvedAt: null, ...overrides };
}

// Keystroke-driven tests on a shared 2-core machine: allow them time (nothing asserts on time).
describe('Composer', { timeout: 20_000 }, () => {
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

    await user.click(screen.getByTestId('composer-body'));
    await user.paste('We will send a new one');
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

  describe('social threads: public or private, by the latest inbound message, with the server\'s limits', () => {
    const page = (items: Message[]) => jsonResponse(200, { items, nextCursor: null });
    const post = (calls: ReturnType<typeof mockFetch>['calls']) =>
      JSON.parse(String(calls.filter((c) => c.init?.method === 'POST').at(-1)!.init!.body)) as Record<string, unknown>;

    it('X: defaults to a DM after a DM, the switch changes the counter limit, and the request says public', async () => {
      const thread = detail({ channel: 'x' });
      const mention = message({ threadId: thread.id, channel: 'x', isPublic: true, createdAt: '2025-01-01T10:00:00.000Z' });
      const dm = message({ threadId: thread.id, channel: 'x', isPublic: false, createdAt: '2025-01-01T11:00:00.000Z' });
      const { calls } = mockFetch({
        'GET /api/auth/me': () => jsonResponse(200, me),
        [`GET /api/threads/${thread.id}/messages`]: () => page([mention, dm]),
        [`POST /api/threads/${thread.id}/messages`]: () => jsonResponse(201, message({ threadId: thread.id, direction: 'outbound', channel: 'x' })),
      });
      renderAt('/t', [{ path: '/t', element: <Composer thread={thread} /> }]);
      const user = userEvent.setup();

      await waitFor(() => expect(screen.getByTestId('composer')).toHaveAttribute('data-visibility', 'private'));
      expect(screen.getByTestId('composer-private-banner')).toHaveTextContent('Direct message on X');
      expect(screen.queryByTestId('composer-public-banner')).not.toBeInTheDocument();
      await user.click(screen.getByTestId('composer-body'));
      await user.paste('a'.repeat(281));
      expect(screen.getByTestId('composer-counter')).toHaveTextContent('281/10000');
      expect(screen.getByTestId('composer-send')).toBeEnabled();

      await user.click(within(screen.getByTestId('composer-visibility')).getByText('Public reply'));
      expect(screen.getByTestId('composer')).toHaveAttribute('data-visibility', 'public');
      expect(screen.getByTestId('composer-public-banner')).toHaveTextContent('Visible to everyone on X');
      expect(screen.getByTestId('composer-counter')).toHaveTextContent('281/280');
      expect(screen.getByTestId('composer-send')).toBeDisabled();

      await user.type(screen.getByTestId('composer-body'), '{Backspace}');
      await user.click(screen.getByTestId('composer-send'));
      await waitFor(() => expect(screen.getByTestId('composer-body')).toHaveValue(''));
      expect(post(calls)).toMatchObject({ kind: 'reply', public: true, body: 'a'.repeat(280) });

      await user.click(within(screen.getByTestId('composer-visibility')).getByText('Direct message'));
      await user.click(screen.getByTestId('composer-body'));
      await user.paste('a DM');
      await user.click(screen.getByTestId('composer-send'));
      await waitFor(() => expect(screen.getByTestId('composer-body')).toHaveValue(''));
      expect(post(calls)).toMatchObject({ kind: 'reply', public: false, body: 'a DM' });
      expect(post(calls).channel).toBeUndefined();
    });

    it('counts an X public reply as the server does: each URL is 23', async () => {
      const thread = detail({ channel: 'x' });
      mockFetch({
        'GET /api/auth/me': () => jsonResponse(200, me),
        [`GET /api/threads/${thread.id}/messages`]: () => page([message({ threadId: thread.id, channel: 'x', isPublic: true })]),
      });
      renderAt('/t', [{ path: '/t', element: <Composer thread={thread} /> }]);
      const user = userEvent.setup();
      await waitFor(() => expect(screen.getByTestId('composer')).toHaveAttribute('data-visibility', 'public'));
      await user.click(screen.getByTestId('composer-body'));
      await user.paste(`see https://example.com/${'x'.repeat(100)}`);
      expect(screen.getByTestId('composer-counter')).toHaveTextContent('27/280');
    });

    it('Facebook comment only: no private option (the server has none for comments), the comment limit applies', async () => {
      const thread = detail({ channel: 'facebook' });
      const { calls } = mockFetch({
        'GET /api/auth/me': () => jsonResponse(200, me),
        [`GET /api/threads/${thread.id}/messages`]: () => page([message({ threadId: thread.id, channel: 'facebook', isPublic: true })]),
        [`POST /api/threads/${thread.id}/messages`]: () => jsonResponse(201, message({ threadId: thread.id, direction: 'outbound', channel: 'facebook' })),
      });
      renderAt('/t', [{ path: '/t', element: <Composer thread={thread} /> }]);
      const user = userEvent.setup();
      await waitFor(() => expect(screen.getByTestId('composer-visibility-fixed')).toHaveTextContent('Public comment reply'));
      expect(screen.queryByTestId('composer-visibility')).not.toBeInTheDocument();
      expect(screen.getByTestId('composer-public-banner')).toHaveTextContent('Visible to everyone on Facebook');
      await user.click(screen.getByTestId('composer-body'));
      await user.paste('Thanks!');
      expect(screen.getByTestId('composer-counter')).toHaveTextContent('7/8000');
      await user.click(screen.getByTestId('composer-send'));
      await waitFor(() => expect(calls.some((c) => c.init?.method === 'POST')).toBe(true));
      expect(post(calls)).toMatchObject({ public: true });
    });

    it('continues by email to the contact\'s linked address, with channel email and no public flag', async () => {
      const thread = detail({ channel: 'instagram', contact: { id: '00000000-0000-4000-8000-00000000c0c0', name: 'Ines', primaryEmail: null } });
      const contact: Contact = {
        id: thread.contact.id,
        name: 'Ines',
        primaryEmail: null,
        tags: [],
        identities: [
          { id: '00000000-0000-4000-8000-00000000c0c1', kind: 'instagram', value: '1789', displayName: 'ines' },
          { id: '00000000-0000-4000-8000-00000000c0c2', kind: 'email', value: 'ines@example.com', displayName: null },
        ],
        createdAt: '2025-01-01T09:00:00.000Z',
      };
      const { calls } = mockFetch({
        'GET /api/auth/me': () => jsonResponse(200, me),
        [`GET /api/contacts/${contact.id}`]: () => jsonResponse(200, contact),
        [`GET /api/threads/${thread.id}/messages`]: () => page([message({ threadId: thread.id, channel: 'instagram', isPublic: false })]),
        [`POST /api/threads/${thread.id}/messages`]: () => jsonResponse(201, message({ threadId: thread.id, direction: 'outbound' })),
      });
      renderAt('/t', [{ path: '/t', element: <Composer thread={thread} /> }]);
      const user = userEvent.setup();
      await waitFor(() => expect(screen.getByTestId('composer-counter')).toHaveTextContent('0/1000'));
      await user.click(await screen.findByLabelText('Continue by email'));
      expect(screen.getByTestId('composer-to')).toHaveValue('ines@example.com');
      expect(screen.getByTestId('composer-email-banner')).toBeInTheDocument();
      expect(screen.queryByTestId('composer-counter')).not.toBeInTheDocument();
      await user.click(screen.getByTestId('composer-body'));
      await user.paste('Details by mail');
      await user.click(screen.getByTestId('composer-send'));
      await waitFor(() => expect(calls.some((c) => c.init?.method === 'POST')).toBe(true));
      const sent = post(calls);
      expect(sent).toMatchObject({ kind: 'reply', channel: 'email', to: ['ines@example.com'], body: 'Details by mail' });
      expect(sent.public).toBeUndefined();
    });
  });

  describe('canned replies and mentions', () => {
    const canned = (o: Partial<CannedReply>): CannedReply => ({
      id: '00000000-0000-4000-8000-00000000ca01',
      title: 'Greeting',
      body: 'Hi',
      shortcut: null,
      scope: 'global',
      ownerAgentId: null,
      teamId: null,
      createdAt: '2025-01-01T09:00:00.000Z',
      updatedAt: '2025-01-01T09:00:00.000Z',
      ...o,
    });
    const inbox = (id: string) => ({ id, name: 'Support', channel: 'email', address: 'help@desk.test', teamId: null, assignmentMode: 'manual', autoAckEnabled: true, isActive: true });

    it('the Canned picker inserts the reply with its placeholders filled, and flags the unknown one', async () => {
      const thread = detail({ contact: { id: '00000000-0000-4000-8000-00000000c0d0', name: 'Jane Doe', primaryEmail: 'jane@example.com' } });
      const reply = canned({ body: 'Hi {{contact.firstName | there}}, {{agent.firstName}} from {{inbox.name}} on #{{thread.number}}. Order {{order.id}}' });
      mockFetch({
        'GET /api/auth/me': () => jsonResponse(200, me),
        'GET /api/canned-replies': () => jsonResponse(200, [reply, canned({ id: '00000000-0000-4000-8000-00000000ca02', title: 'Refund' })]),
        'GET /api/inboxes': () => jsonResponse(200, [inbox(thread.inboxId)]),
      });
      const { client } = renderAt('/t', [{ path: '/t', element: <Composer thread={thread} /> }]);
      const user = userEvent.setup();
      // {{agent.firstName}} and {{inbox.name}} come from these
      await waitFor(() => expect(client.getQueryData(keys.me)).toBeTruthy());
      await waitFor(() => expect(client.getQueryData(keys.inboxes)).toBeTruthy());
      await user.click(screen.getByTestId('canned-open'));
      await user.type(await screen.findByTestId('canned-search'), 'greet');
      const options = await screen.findAllByTestId('canned-option');
      expect(options).toHaveLength(1);
      await user.click(options[0]!);
      await waitFor(() =>
        expect(screen.getByTestId('composer-body')).toHaveValue(`Hi Jane, Alice from Support on #${thread.number}. Order {{order.id}}`),
      );
      expect(screen.getByTestId('placeholder-warning')).toHaveTextContent('{{order.id}} is not a known placeholder');
    });

    it('/shortcut then Tab expands the canned reply in place', async () => {
      const thread = detail({ contact: { id: '00000000-0000-4000-8000-00000000c0e0', name: null, primaryEmail: 'x@example.com' } });
      mockFetch({
        'GET /api/auth/me': () => jsonResponse(200, me),
        'GET /api/canned-replies': () => jsonResponse(200, [canned({ shortcut: 'hello', body: 'Hello {{contact.firstName | there}}!' })]),
      });
      const { client } = renderAt('/t', [{ path: '/t', element: <Composer thread={thread} /> }]);
      const user = userEvent.setup();
      await waitFor(() => expect(client.getQueryData(keys.cannedReplies)).toBeTruthy());
      const body = screen.getByTestId('composer-body');
      await user.click(body);
      await user.paste('Intro: ');
      await user.type(body, '/hello');
      await user.keyboard('{Tab}');
      await waitFor(() => expect(body).toHaveValue('Intro: Hello there!'));
      expect(body).toHaveFocus();
    });

    it('in a note, @ offers agents and inserts @Full Name', async () => {
      const thread = detail();
      const agent = (id: string, name: string, email: string) => ({ ...me, id, name, email, isActive: true, createdAt: '2025-01-01T09:00:00.000Z' });
      const { calls } = mockFetch({
        'GET /api/auth/me': () => jsonResponse(200, me),
        'GET /api/agents': () =>
          jsonResponse(200, [agent(me.id, me.name, me.email), agent('00000000-0000-4000-8000-0000000000b7', 'Bob Builder', 'bob@desk.test'), agent('00000000-0000-4000-8000-0000000000c8', 'Carla Cruz', 'carla@desk.test')]),
        [`POST /api/threads/${thread.id}/messages`]: () => jsonResponse(201, message({ threadId: thread.id, direction: 'note' })),
      });
      renderAt('/t', [{ path: '/t', element: <Composer thread={thread} /> }]);
      const user = userEvent.setup();
      await user.click(within(screen.getByTestId('composer-kind')).getByText('Internal note'));
      const body = screen.getByTestId('composer-body');
      await user.type(body, 'ask @bo');
      const options = await screen.findAllByTestId('mention-option');
      expect(options.map((o) => o.textContent)).toEqual(['Bob Builderbob@desk.test']);
      await user.keyboard('{Enter}');
      await waitFor(() => expect(body).toHaveValue('ask @Bob Builder '));
      await user.click(screen.getByTestId('composer-send'));
      await waitFor(() => expect(calls.some((c) => c.init?.method === 'POST')).toBe(true));
      expect(JSON.parse(String(calls.find((c) => c.init?.method === 'POST')!.init!.body))).toMatchObject({ kind: 'note', body: 'ask @Bob Builder ' });
    });
  });
});
