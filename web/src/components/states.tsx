import type { ReactNode } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { ApiError } from '../api.ts';
import { NotFoundPage } from './not-found.tsx';
import { Link } from '../router.tsx';

/** Every page shows one of these while it has nothing else to show. */
export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <div className="state loading" role="status">
      {what}…
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="state empty">{children}</div>;
}

/** An error no page named a way back for: the server's message, and the two ways anyone has (back, or to the projects). */
export function ErrorState({ error }: { error: unknown }) {
  return (
    <div className="state error" role="alert">
      <p>{error instanceof Error ? error.message : String(error)}</p>
      <p className="error-ways-back">
        <button type="button" className="link" onClick={() => history.back()}>
          Go back
        </button>{' '}
        or <Link to="/">open the projects list</Link>
      </p>
    </div>
  );
}

export type Loadable<T> = { status: 'loading' } | { status: 'error'; error: unknown } | { status: 'ready'; data: T };

/**
 * Loads data for a page through the query cache (web/src/query-client.ts): `key` names the data
 * (what it is, then every value the loader reads), so components asking for the same key at
 * once share one request, and a page visited again shows what it had at once while it fetches
 * afresh. While a new key loads, the previous key's data stays on screen; `reload()` fetches
 * again (after a change the page made).
 */
export function useLoad<T>(key: readonly unknown[], load: () => Promise<T>): [Loadable<T>, () => void] {
  const query = useQuery({ queryKey: key, queryFn: load, placeholderData: keepPreviousData });
  const state: Loadable<T> = query.isError ? { status: 'error', error: query.error } : query.data !== undefined ? { status: 'ready', data: query.data } : { status: 'loading' };
  return [state, () => void query.refetch()];
}

/** What a page says when the thing it shows is not there, and the way back it offers. */
export interface Missing {
  title: string;
  message: string;
  back: { to: string; label: string };
}

/**
 * Whether an error says the thing asked for is not there: a 404, or a 400 for an identifier
 * of the wrong shape (a run id typed by hand), which to a reader is the same thing.
 */
export function isMissing(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 404 || error.status === 400);
}

/** Renders the right state for a Loadable; `missing` turns a not-found answer into a page with a way back. */
export function Show<T>({ state, children, what, missing }: { state: Loadable<T>; children: (data: T) => ReactNode; what?: string; missing?: Missing }) {
  if (state.status === 'loading') return <Loading what={what} />;
  if (state.status === 'error') return missing && isMissing(state.error) ? <NotFoundPage {...missing} /> : <ErrorState error={state.error} />;
  return <>{children(state.data)}</>;
}
