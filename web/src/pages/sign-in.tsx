import { PageTitle } from '../page-title.ts';
import { useState } from 'react';
import type { SignInOptions } from '../../../src/auth/sso/contract.ts';
import { api } from '../api.ts';
import { apiPaths } from '../api-paths.ts';
import { useLoad } from '../components/states.tsx';
import { useSession } from '../session.tsx';

/**
 * Where a single sign-on comes back to: the page the person was on, with its fragment (the
 * MLflow client's run links are `/#/experiments/…/runs/…`, which only the fragment carries).
 */
function here(): string {
  const query = new URLSearchParams(window.location.search);
  query.delete('sign_in_error');
  const rest = query.toString();
  return `${window.location.pathname}${rest ? `?${rest}` : ''}${window.location.hash}`;
}

/**
 * The sign-in page: a button per single sign-on provider (which come back here with the
 * session, or with `?sign_in_error=` saying why not), and the password form unless the
 * instance turned it off.
 */
export function SignInPage() {
  const { signIn } = useSession();
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(() => new URLSearchParams(window.location.search).get('sign_in_error'));
  const [busy, setBusy] = useState(false);
  const [options] = useLoad(['sign-in-options'], () => api.get<SignInOptions>(apiPaths.signInOptions));
  const providers = options.status === 'ready' ? options.data.providers : [];
  const passwordSignIn = options.status !== 'ready' || options.data.password_sign_in;
  return (
    <div className="signin">
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          setBusy(true);
          setError(null);
          try {
            await signIn(login, password);
          } catch (e) {
            setError((e as Error).message);
          } finally {
            setBusy(false);
          }
        }}
      >
        <PageTitle parts={['Sign in']} />
        <h1>Modelyard</h1>
        {providers.map((p) => (
          <a key={p.id} className="button primary sso" href={apiPaths.singleSignOn(p.sign_in_path, here())}>
            {p.label}
          </a>
        ))}
        {passwordSignIn && (
          <>
            {providers.length > 0 && <p className="muted or">or with a password</p>}
            <label>
              Username
              <input name="login" autoComplete="username" value={login} onChange={(e) => setLogin(e.target.value)} required />
            </label>
            <label>
              Password
              <input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
            </label>
          </>
        )}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {passwordSignIn && (
          <button type="submit" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        )}
      </form>
    </div>
  );
}
