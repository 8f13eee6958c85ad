import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from './api.ts';
import type { Loadable } from './components/states.tsx';
import { seriesPath } from './metric-series.ts';
import { usePolling } from './polling.ts';
import type { MetricSeriesNative, RunSeriesNative } from '../../src/tracking/contract.ts';

/** How often the charts of a running run ask whether their series changed. */
export const LIVE_SERIES_MS = 1000;

/**
 * The series of one metric for some runs (one on a run's page, the ticked ones beside the
 * runs table, the compared ones), followed while `live`: every tick asks with the ETag of the
 * copy held, so an unchanged series costs a 304 and no redraw, and a new point redraws just
 * that chart (no page reload). When the run stops being live, one last read picks up the
 * points logged since the last tick. A hidden tab does not poll (usePolling).
 */
export function useLiveSeries(projectId: number, runIds: string[], key: string, range: { from: number; to: number } | undefined, live: boolean): Loadable<RunSeriesNative[]> {
  const [state, setState] = useState<Loadable<RunSeriesNative[]>>({ status: 'loading' });
  const path = seriesPath(projectId, runIds, key, range);
  const held = useRef<{ path: string; etag: string | null } | null>(null);
  const wanted = useRef(path);
  const inFlight = useRef(false);
  const issued = useRef(0);
  const applied = useRef(0);
  wanted.current = path;

  /** A tick skips while the previous one is still out (a slow server is not asked twice); other reads always go. */
  const read = useCallback(
    async (tick = false) => {
      if (tick && inFlight.current) return;
      inFlight.current = true;
      const order = ++issued.current;
      try {
        const answer = await api.ifChanged<MetricSeriesNative>(path, held.current?.path === path ? held.current.etag : null);
        // A zoom that moved on while this was in flight has its own read, and an answer overtaken by a later one is old news.
        if (answer && wanted.current === path && order > applied.current) {
          applied.current = order;
          held.current = { path, etag: answer.etag };
          setState({ status: 'ready', data: answer.data.series });
        }
      } catch (error) {
        // A tick that fails keeps the chart as it was; only a first read shows the error.
        if (wanted.current === path) setState((s) => (s.status === 'ready' ? s : { status: 'error', error }));
      } finally {
        inFlight.current = false;
      }
    },
    [path],
  );

  useEffect(() => {
    void read();
  }, [read]);

  const wasLive = useRef(live);
  useEffect(() => {
    if (wasLive.current && !live) void read();
    wasLive.current = live;
  }, [live, read]);

  usePolling(live, LIVE_SERIES_MS, () => void read(true));
  return state;
}
