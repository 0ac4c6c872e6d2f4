import { useEffect, useState } from 'react';

/** "3d 4h", "2h 05m", "7m", "<1m": compact enough for a list row. */
export function formatDuration(ms: number): string {
  const totalMinutes = Math.floor(Math.abs(ms) / 60_000);
  if (totalMinutes < 1) return '<1m';
  const days = Math.floor(totalMinutes / 1440);
  const hours = Math.floor((totalMinutes % 1440) / 60);
  const minutes = totalMinutes % 60;
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${String(minutes).padStart(2, '0')}m`;
  return `${minutes}m`;
}

export interface SlaState {
  label: string;
  overdue: boolean;
  /** under an hour left */
  soon: boolean;
}

export function slaState(slaDueAt: string | null, now: number): SlaState | null {
  if (!slaDueAt) return null;
  const left = Date.parse(slaDueAt) - now;
  if (left < 0) return { label: `-${formatDuration(left)}`, overdue: true, soon: false };
  return { label: formatDuration(left), overdue: false, soon: left < 3_600_000 };
}

/** How long the customer has been waiting for us, or null when the last word was ours. */
export function waitingFor(
  t: { lastCustomerMessageAt: string | null; lastAgentMessageAt: string | null },
  now: number,
): string | null {
  if (!t.lastCustomerMessageAt) return null;
  const customer = Date.parse(t.lastCustomerMessageAt);
  if (t.lastAgentMessageAt && Date.parse(t.lastAgentMessageAt) >= customer) return null;
  return formatDuration(now - customer);
}

export function formatDateTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

// One ticking clock shared by every countdown on screen instead of a timer per row.
let current = Date.now();
const listeners = new Set<(now: number) => void>();
let timer: ReturnType<typeof setInterval> | undefined;

function subscribe(fn: (now: number) => void): () => void {
  listeners.add(fn);
  if (!timer) {
    timer = setInterval(() => {
      current = Date.now();
      listeners.forEach((l) => l(current));
    }, 15_000);
  }
  return () => {
    listeners.delete(fn);
    if (listeners.size === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

export function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => subscribe(setNow), []);
  return now;
}
