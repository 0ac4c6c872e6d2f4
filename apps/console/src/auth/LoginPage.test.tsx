import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { jsonResponse, mockFetch, renderAt } from '../test/render';
import LoginPage from './LoginPage';

const me = {
  id: '00000000-0000-4000-8000-0000000000aa',
  name: 'Alice Agent',
  email: 'alice@example.com',
  role: 'agent',
  availability: 'online',
  capacity: 10,
  teamIds: [],
};

function renderLogin() {
  return renderAt('/login', [
    { path: '/login', element: <LoginPage /> },
    { path: '/inbox/:view', element: <div data-testid="inbox-screen" /> },
  ]);
}

async function submit(email: string, password: string) {
  const user = userEvent.setup();
  await user.type(await screen.findByLabelText(/email/i), email);
  await user.type(screen.getByLabelText(/password/i), password);
  await user.click(screen.getByRole('button', { name: /sign in/i }));
}

describe('LoginPage', () => {
  it('shows the server error message on bad credentials', async () => {
    const { calls } = mockFetch({
      'GET /api/auth/me': () => jsonResponse(401, { statusCode: 401, error: 'Unauthorized', message: 'Not signed in' }),
      'POST /api/auth/login': () =>
        jsonResponse(401, { statusCode: 401, error: 'Unauthorized', message: 'Invalid email or password' }),
    });
    renderLogin();
    await submit('alice@example.com', 'wrong-password');

    expect(await screen.findByTestId('login-error')).toHaveTextContent('Invalid email or password');
    const login = calls.find((c) => c.url.pathname === '/api/auth/login');
    expect(login?.init?.credentials).toBe('include');
    expect(JSON.parse(String(login?.init?.body))).toEqual({ email: 'alice@example.com', password: 'wrong-password' });
    expect(screen.queryByTestId('inbox-screen')).not.toBeInTheDocument();
  });

  it('explains rate limiting on 429', async () => {
    mockFetch({
      'GET /api/auth/me': () => jsonResponse(401, { statusCode: 401, error: 'Unauthorized', message: 'Not signed in' }),
      'POST /api/auth/login': () => new Response('', { status: 429 }),
    });
    renderLogin();
    await submit('alice@example.com', 'whatever');
    expect(await screen.findByTestId('login-error')).toHaveTextContent(/too many sign-in attempts/i);
  });

  it('goes to the inbox after a successful sign-in', async () => {
    mockFetch({
      'GET /api/auth/me': () => jsonResponse(401, { statusCode: 401, error: 'Unauthorized', message: 'Not signed in' }),
      'POST /api/auth/login': () => jsonResponse(200, me),
    });
    renderLogin();
    await submit('alice@example.com', 'correct horse battery');
    await waitFor(() => expect(screen.getByTestId('inbox-screen')).toBeInTheDocument());
  });
});
