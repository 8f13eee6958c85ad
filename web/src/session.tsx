import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import type { SessionNative, SignedIn, SignInBody, UserNative } from '../../src/auth/contract.ts';
import type { SignedOut } from '../../src/auth/sso/contract.ts';
import { api, setCsrfToken } from './api.ts';
import { queryClient } from './query-client.ts';
import { apiPaths } from './api-paths.ts';

export type User = UserNative;

interface SessionState {
  user: User | null;
  ready: boolean;
  signIn(login: string, password: string): Promise<void>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionState>({ user: null, ready: false, signIn: async () => undefined, signOut: async () => undefined });

/** The browser session: an HttpOnly cookie the page cannot read, and the CSRF token it sends on writes. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<User | null>(null);
  const [ready, setReady] = useState(false);
  useEffect(() => {
    api.get<SessionNative>(apiPaths.session).then(
      (session) => {
        setCsrfToken(session.csrf_token);
        setUser(session.user);
        setReady(true);
      },
      () => setReady(true),
    );
    // What one person's session loaded is never shown to the next person on this page.
    const signedOut = () => {
      queryClient.clear();
      setUser(null);
    };
    window.addEventListener('modelyard:signed-out', signedOut);
    return () => window.removeEventListener('modelyard:signed-out', signedOut);
  }, []);
  const value: SessionState = {
    user,
    ready,
    async signIn(login, password) {
      const body: SignInBody = { login, password };
      const session = await api.post<SignedIn>(apiPaths.session, body);
      queryClient.clear();
      setCsrfToken(session.csrf_token);
      setUser(session.user);
    },
    async signOut() {
      const answer = await api.del<SignedOut>(apiPaths.session).catch(() => null);
      queryClient.clear();
      setCsrfToken(null);
      setUser(null);
      // A session from a single sign-on provider ends there too, which then sends the browser back here.
      if (answer?.end_session_url) window.location.assign(answer.end_session_url);
    },
  };
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  return useContext(SessionContext);
}
