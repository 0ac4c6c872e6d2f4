import { lazy, Suspense } from 'react';
import { Navigate, Route, Routes } from 'react-router-dom';
import { RequireAuth } from './auth/RequireAuth';
import { PageLoader } from './shell/PageLoader';

// Each screen is its own chunk: the first paint only needs the router, the guard and Mantine.
const LoginPage = lazy(() => import('./auth/LoginPage'));
const ConsoleLayout = lazy(() => import('./shell/ConsoleLayout'));
const InboxPage = lazy(() => import('./inbox/InboxPage'));
const ThreadPage = lazy(() => import('./thread/ThreadPage'));
const SupervisorPage = lazy(() => import('./supervisor/SupervisorPage'));
const SettingsPage = lazy(() => import('./settings/SettingsPage'));

export function App() {
  return (
    <Suspense fallback={<PageLoader />}>
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route element={<RequireAuth />}>
          <Route element={<ConsoleLayout />}>
            <Route index element={<Navigate to="/inbox/mine" replace />} />
            <Route path="/inbox/:view" element={<InboxPage />} />
            <Route path="/threads/:threadId" element={<ThreadPage />} />
            <Route path="/supervisor" element={<SupervisorPage />} />
            <Route path="/settings" element={<SettingsPage />} />
            <Route path="*" element={<Navigate to="/inbox/mine" replace />} />
          </Route>
        </Route>
      </Routes>
    </Suspense>
  );
}
