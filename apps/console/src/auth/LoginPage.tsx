import { Alert, Button, Center, Paper, PasswordInput, Stack, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router-dom';
import { isApiError } from '../api/client';
import { useLogin, useMe } from '../api/hooks';

function loginErrorMessage(error: unknown): string {
  if (isApiError(error)) {
    if (error.status === 429) return 'Too many sign-in attempts. Wait a minute and try again.';
    return error.message;
  }
  return 'Sign-in failed. Try again.';
}

function safeRedirect(from: unknown): string {
  // Only paths inside the console: never an absolute URL smuggled through history state.
  return typeof from === 'string' && from.startsWith('/') && !from.startsWith('//') && from !== '/login' ? from : '/inbox/mine';
}

export default function LoginPage() {
  const me = useMe();
  const login = useLogin();
  const navigate = useNavigate();
  const location = useLocation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const target = safeRedirect((location.state as { from?: unknown } | null)?.from);

  if (me.data) return <Navigate to={target} replace />;

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    login.mutate({ email: email.trim(), password }, { onSuccess: () => navigate(target, { replace: true }) });
  };

  return (
    <Center mih="100vh" bg="gray.0">
      <Paper withBorder shadow="sm" p="xl" w={380}>
        <form onSubmit={onSubmit} data-testid="login-form" noValidate>
          <Stack>
            <Title order={2}>Sign in</Title>
            {login.isError && (
              <Alert color="red" role="alert" data-testid="login-error">
                {loginErrorMessage(login.error)}
              </Alert>
            )}
            <TextInput
              label="Email"
              type="email"
              name="email"
              autoComplete="username"
              required
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
              data-testid="login-email"
            />
            <PasswordInput
              label="Password"
              name="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
              data-testid="login-password"
            />
            <Button type="submit" loading={login.isPending} disabled={!email || !password} data-testid="login-submit">
              Sign in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
