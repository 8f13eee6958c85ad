import { useEffect, useRef } from 'react';

/**
 * Calls `tick` every `intervalMs` while `active`; stops when the page goes away or the thing
 * watched is finished. A hidden tab skips its ticks, so a forgotten tab does not poll the server.
 */
export function usePolling(active: boolean, intervalMs: number, tick: () => void): void {
  const latest = useRef(tick);
  latest.current = tick;
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => {
      if (document.visibilityState !== 'hidden') latest.current();
    }, intervalMs);
    return () => clearInterval(timer);
  }, [active, intervalMs]);
}
