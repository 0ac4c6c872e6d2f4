import { AppShell, Badge, Burger, Button, Group, NavLink, Stack, Text, Title, Tooltip } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import type { Availability } from '@desk/contracts';
import { Suspense } from 'react';
import { NavLink as RouterNavLink, Outlet, useLocation, useNavigate } from 'react-router-dom';
import { PageLoader } from './PageLoader';
import { useLogout, useMe } from '../api/hooks';
import { SocketProvider, useRealtime } from '../realtime/SocketProvider';
import { VIEWS } from './views';
import { SearchBox } from '../search/SearchBox';
import { NotificationBell } from './NotificationBell';

const AVAILABILITY_COLOR: Record<Availability, string> = { online: 'green', away: 'yellow', offline: 'gray' };

function ConnectionDot() {
  const { connected } = useRealtime();
  return (
    <Tooltip label={connected ? 'Live updates on' : 'Reconnecting…'}>
      <Badge variant="dot" color={connected ? 'green' : 'orange'} data-testid="realtime-status" data-connected={connected}>
        {connected ? 'Live' : 'Offline'}
      </Badge>
    </Tooltip>
  );
}

export default function ConsoleLayout() {
  const [opened, { toggle, close }] = useDisclosure();
  const me = useMe().data;
  const logout = useLogout();
  const navigate = useNavigate();
  const { pathname } = useLocation();

  const onLogout = () => logout.mutate(undefined, { onSettled: () => navigate('/login', { replace: true }) });

  return (
    <SocketProvider>
      <AppShell header={{ height: 52 }} navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding={0}>
        <AppShell.Header>
          <Group h="100%" px="md" justify="space-between">
            <Group gap="sm">
              <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
              <Title order={4}>Desk</Title>
              <ConnectionDot />
              <SearchBox />
            </Group>
            <Group gap="sm">
              {me && (
                <>
                  <NotificationBell />
                  <Stack gap={0} align="flex-end">
                    <Text size="sm" fw={500} data-testid="current-agent">
                      {me.name}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {me.role}
                    </Text>
                  </Stack>
                  <Badge color={AVAILABILITY_COLOR[me.availability]} variant="light" data-testid="availability">
                    {me.availability}
                  </Badge>
                </>
              )}
              <Button variant="subtle" size="xs" onClick={onLogout} loading={logout.isPending} data-testid="logout">
                Log out
              </Button>
            </Group>
          </Group>
        </AppShell.Header>
        <AppShell.Navbar p="xs" data-testid="nav">
          <Text size="xs" c="dimmed" tt="uppercase" fw={700} px="sm" py={6}>
            Inbox
          </Text>
          {VIEWS.map((v) => (
            <NavLink
              key={v.view}
              component={RouterNavLink}
              to={`/inbox/${v.view}`}
              label={v.label}
              active={pathname === `/inbox/${v.view}`}
              onClick={close}
              data-testid={`nav-${v.view}`}
            />
          ))}
          {me && me.role !== 'agent' && (
            <>
              <Text size="xs" c="dimmed" tt="uppercase" fw={700} px="sm" py={6} mt="sm">
                Team
              </Text>
              <NavLink component={RouterNavLink} to="/supervisor" label="Supervisor" active={pathname === '/supervisor'} onClick={close} data-testid="nav-supervisor" />
              {me.role === 'admin' && (
                <NavLink component={RouterNavLink} to="/settings" label="Settings" active={pathname === '/settings'} onClick={close} data-testid="nav-settings" />
              )}
            </>
          )}
        </AppShell.Navbar>
        <AppShell.Main h="100dvh" style={{ display: 'flex', flexDirection: 'column' }}>
          <Suspense fallback={<PageLoader />}>
            <Outlet />
          </Suspense>
        </AppShell.Main>
      </AppShell>
    </SocketProvider>
  );
}
