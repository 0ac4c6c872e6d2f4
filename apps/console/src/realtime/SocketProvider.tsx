import { RealtimeEvents, type ClientEventName, type RealtimeEventName, type RealtimeEventPayload } from '@desk/contracts';
import { useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { io, type Socket } from 'socket.io-client';
import { keys } from '../api/keys';
import { applyThreadSummary, handleMessageCreated, handleNotificationCreated, handleSla, updateDelivery } from './realtime-cache';

type Presence = RealtimeEventPayload<'presence.updated'>['viewers'];

interface RealtimeContextValue {
  connected: boolean;
  emit: (event: ClientEventName, payload: Record<string, unknown>) => void;
  /** Called again after every reconnect, so rooms joined with it survive a dropped connection. */
  onConnect: (fn: () => void) => () => void;
  presence: Record<string, Presence>;
}

const RealtimeContext = createContext<RealtimeContextValue>({
  connected: false,
  emit: () => undefined,
  onConnect: () => () => undefined,
  presence: {},
});

export function useRealtime(): RealtimeContextValue {
  return useContext(RealtimeContext);
}

function parse<N extends RealtimeEventName>(name: N, raw: unknown): RealtimeEventPayload<N> | null {
  const result = RealtimeEvents[name].safeParse(raw);
  if (!result.success) {
    console.warn(`ignored malformed realtime event ${name}`, result.error);
    return null;
  }
  return result.data as RealtimeEventPayload<N>;
}

/** One socket per signed-in tab, authenticated by the session cookie. Mounted only inside the guard. */
export function SocketProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const socketRef = useRef<Socket | null>(null);
  const connectHandlers = useRef(new Set<() => void>());
  const [connected, setConnected] = useState(false);
  const [presence, setPresence] = useState<Record<string, Presence>>({});

  useEffect(() => {
    const socket = io({ path: '/socket.io', withCredentials: true, transports: ['websocket', 'polling'] });
    socketRef.current = socket;
    let hasConnectedBefore = false;

    socket.on('connect', () => {
      setConnected(true);
      // Events sent while we were away are lost: re-read everything on screen.
      if (hasConnectedBefore) void qc.invalidateQueries();
      hasConnectedBefore = true;
      connectHandlers.current.forEach((fn) => fn());
    });
    socket.on('disconnect', () => setConnected(false));
    // A refused handshake usually means the session ended: re-asking /me lets the guard decide.
    socket.on('connect_error', () => void qc.invalidateQueries({ queryKey: keys.me }));

    socket.on('thread.created', (raw: unknown) => {
      const e = parse('thread.created', raw);
      if (e) applyThreadSummary(qc, e.thread);
    });
    socket.on('thread.updated', (raw: unknown) => {
      const e = parse('thread.updated', raw);
      if (!e) return;
      applyThreadSummary(qc, e.thread);
      if (e.changes.messagesMoved) {
        void qc.invalidateQueries({ queryKey: keys.thread(e.thread.id) });
        void qc.invalidateQueries({ queryKey: keys.messages(e.thread.id) });
      }
    });
    socket.on('message.created', (raw: unknown) => {
      const e = parse('message.created', raw);
      if (e) handleMessageCreated(qc, e);
    });
    socket.on('delivery.updated', (raw: unknown) => {
      const e = parse('delivery.updated', raw);
      if (e) updateDelivery(qc, e);
    });
    socket.on('sla.warning', (raw: unknown) => {
      const e = parse('sla.warning', raw);
      if (e) handleSla(qc, e.threadId);
    });
    socket.on('sla.breached', (raw: unknown) => {
      const e = parse('sla.breached', raw);
      if (e) handleSla(qc, e.threadId);
    });
    socket.on('notification.created', (raw: unknown) => {
      const e = parse('notification.created', raw);
      if (e) handleNotificationCreated(qc, e);
    });
    socket.on('presence.updated', (raw: unknown) => {
      const e = parse('presence.updated', raw);
      if (e) setPresence((p) => ({ ...p, [e.threadId]: e.viewers }));
    });

    return () => {
      socket.removeAllListeners();
      socket.disconnect();
      socketRef.current = null;
    };
  }, [qc]);

  // Stable identities: rooms joined with these must not be left and re-joined on every render.
  const emit = useCallback<RealtimeContextValue['emit']>((event, payload) => {
    socketRef.current?.emit(event, payload);
  }, []);
  const onConnect = useCallback<RealtimeContextValue['onConnect']>((fn) => {
    connectHandlers.current.add(fn);
    if (socketRef.current?.connected) fn();
    return () => {
      connectHandlers.current.delete(fn);
    };
  }, []);

  const value = useMemo<RealtimeContextValue>(
    () => ({ connected, presence, emit, onConnect }),
    [connected, presence, emit, onConnect],
  );

  return <RealtimeContext.Provider value={value}>{children}</RealtimeContext.Provider>;
}

/** Joins the thread's room while the thread is on screen (and again after a reconnect). */
export function useThreadRoom(threadId: string): Presence {
  const { onConnect, emit, presence } = useRealtime();
  useEffect(() => {
    const off = onConnect(() => emit('thread.view', { threadId }));
    return () => {
      off();
      emit('thread.leave', { threadId });
    };
  }, [threadId, onConnect, emit]);
  return presence[threadId] ?? [];
}
