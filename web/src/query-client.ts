import { QueryClient } from '@tanstack/react-query';

/**
 * The UI's one query cache. Errors show at once (no silent retries: a 403 or 404 is an answer,
 * and the API's own clients retry what is worth retrying); pages that follow live state poll
 * themselves (web/src/polling.ts), so nothing refetches on window focus. Data is stale at once,
 * so every visit fetches afresh, and is kept five minutes for going back.
 */
export const queryClient = new QueryClient({
  defaultOptions: { queries: { retry: false, refetchOnWindowFocus: false, staleTime: 0, gcTime: 5 * 60 * 1000 } },
});
