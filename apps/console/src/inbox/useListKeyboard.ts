import { useEffect, useRef } from 'react';

function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  const tag = target.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || target.isContentEditable;
}

/** j/k move, Enter opens: the keys of a mail client, ignored while the agent types in a field. */
export function useListKeyboard(handlers: { next: () => void; previous: () => void; open: () => void }): void {
  const ref = useRef(handlers);
  ref.current = handlers;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || isTypingTarget(e.target)) return;
      if (e.key === 'j') {
        e.preventDefault();
        ref.current.next();
      } else if (e.key === 'k') {
        e.preventDefault();
        ref.current.previous();
      } else if (e.key === 'Enter') {
        if (e.target instanceof HTMLElement && e.target.closest('a,button,[role="button"]')) return;
        e.preventDefault();
        ref.current.open();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
}
