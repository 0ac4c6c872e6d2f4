import { act, screen, waitFor, within } from '@testing-library/react';
import { render } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createQueryClient } from './api/query-client';
import { App } from './App';
import { Providers } from './Providers';
import { message, threadSummary } from './test/factories';
import { jsonResponse, mockFetch } from './test/render';

// A stand-in socket: the test plays the server by calling the registered handlers.
const fakeSocket = vi.hoisted(() => {
  const handlers = new Map<string, ((payload?: unknown) => void)[]>();
  return {
    handlers,
    connected: false,
    emitted: [] as [string, unknown][],
    on(event: string, fn: (payload?: unknown) => void) {
      handlers.set(event, [...(handlers.get(event) ?? []), fn]);
      return this;
    },
    emit(event: string, payload: unknown) {
      this.emitted.push([event, payload]);
      return this;
    },
    removeAllListeners() {
      handlers.clear();
      return this;
    },
    disconnect() {
      return this;
    },
    serverSends(event: string, payload?: unknown) {
      handlers.get(event)?.forEach((fn) => fn(payload));
    },
  };
});
vi.mock('socket.io-client', () => ({ io: () => fakeSocket }));

const me = {
  id: '00000000-0000-4000-8000-0000000000aa',
  name: 'Alice Agent',
  email: 'alice@example.com',
  role: 'agent',
  availability: 'online',
  capacity: 10,
  teamIds: [],
};

function renderApp(path: string) {
  const client = createQueryClient();
  client.setDefaultOptions({ queries: { retry: false } });
  return render(
    <Providers client={client}>
      <MemoryRouter initialEntries={[path]}>
        <App />
      </MemoryRouter>
    </Providers>,
  );
}

beforeEach(() => {
  fakeSocket.handlers.clear();
  fakeSocket.emitted = [];
});

describe('App', () => {
  it('sends a visitor without a session to the login page', async () => {
    mockFetch({ 'GET /api/auth/me': () => jsonResponse(401, { statusCode: 401, error: 'Unauthorized', message: 'no session' }) });
    renderApp('/inbox/all');
    expect(await screen.findByTestId('login-form')).toBeInTheDocument();
  });

  it('shows the shell and updates the inbox live when the server announces a new thread', async () => {
    const first = threadSummary({ subject: 'First problem' });
    const second = threadSummary({ subject: 'Second problem' });
    let items = [first];
    mockFetch({
      'GET /api/auth/me': () => jsonResponse(200, me),
      'GET /api/threads': () => jsonResponse(200, { items, nextCursor: null }),
    });
    renderApp('/inbox/unassigned');

    expect(await screen.findByTestId('current-agent')).toHaveTextContent('Alice Agent');
    expect(within(screen.getByTestId('nav')).getByText('At risk')).toBeInTheDocument();
    expect(await screen.findAllByTestId('inbox-row')).toHaveLength(1);

    items = [second, first];
    act(() => fakeSocket.serverSends('thread.created', { thread: second }));
    await waitFor(() => expect(screen.getAllByTestId('inbox-row')).toHaveLength(2));
    expect(screen.getAllByTestId('inbox-row')[0]).toHaveTextContent('Second problem');
  });

  it('appends a message pushed over the socket to the open thread and joins its room', async () => {
    const thread = threadSummary({ subject: 'Live thread' });
    const detail = { ...thread, linkedThreadId: null, resolvedAt: null };
    const contact = { id: thread.contact.id, name: thread.contact.name, primaryEmail: thread.contact.primaryEmail, tags: [], createdAt: thread.createdAt,
      identities: [{ id: '00000000-0000-4000-8000-0000000000e1', kind: 'x', value: '@ada', displayName: 'Ada' }] };
    mockFetch({
      'GET /api/auth/me': () => jsonResponse(200, me),
      'GET /api/agents': () => jsonResponse(200, []),
      [`GET /api/threads/${thread.id}`]: () => jsonResponse(200, detail),
      [`GET /api/threads/${thread.id}/messages`]: () =>
        jsonResponse(200, { items: [message({ threadId: thread.id, bodyText: 'hello there' })], nextCursor: null }),
      [`GET /api/contacts/${thread.contact.id}`]: () => jsonResponse(200, contact),
      [`GET /api/contacts/${thread.contact.id}/threads`]: () => jsonResponse(200, { items: [thread], nextCursor: null }),
    });
    renderApp(`/threads/${thread.id}`);

    expect(await screen.findByText('hello there')).toBeInTheDocument();
    const panel = await screen.findByTestId('customer-panel');
    expect(await within(panel).findByText('@ada')).toBeInTheDocument();
    expect(within(panel).getByTestId('customer-thread')).toHaveAttribute('href', `/threads/${thread.id}`);

    fakeSocket.connected = true;
    act(() => fakeSocket.serverSends('connect'));
    expect(fakeSocket.emitted).toContainEqual(['thread.view', { threadId: thread.id }]);

    act(() =>
      fakeSocket.serverSends('message.created', {
        threadId: thread.id,
        message: message({ threadId: thread.id, bodyText: 'a new reply arrived', createdAt: '2025-01-01T11:00:00.000Z' }),
      }),
    );
    expect(await screen.findByText('a new reply arrived')).toBeInTheDocument();
    expect(screen.getAllByTestId('message')).toHaveLength(2);
  });
});
