import { useState } from 'react';
import type { ChangePasswordBody, CreatedToken, CreateTokenBody, PasswordChanged, TokenNative } from '../../../src/auth/contract.ts';
import { api } from '../api.ts';
import { apiPaths } from '../api-paths.ts';
import { ErrorLine, useAction } from '../components/action.tsx';
import { SecretOnce } from '../components/secret-once.tsx';
import { Empty, Show, useLoad } from '../components/states.tsx';
import { Link, useLocation } from '../router.tsx';
import { usePageTitle } from '../page-title.ts';

type Section = 'tokens' | 'password';

/** The scopes a person may give a token (docs/permissions.md, "Token scopes"); the server checks them again. */
const TOKEN_SCOPES = ['api', 'read_api', 'read_model_registry', 'write_model_registry', 'serve'] as const;

/** The signed-in person's own account: personal access tokens and password (GitLab's user settings). */
export function UserSettingsPage({ section }: { section: Section }) {
  const { path } = useLocation();
  usePageTitle(section === 'tokens' ? 'Access tokens' : 'Password', 'Your settings');
  return (
    <section>
      <h1>Your settings</h1>
      <nav className="tabs">
        <Link to="/user/settings/tokens" className={path.endsWith('/tokens') ? 'button active' : 'button'}>
          Access tokens
        </Link>
        <Link to="/user/settings/password" className={path.endsWith('/password') ? 'button active' : 'button'}>
          Password
        </Link>
      </nav>
      {section === 'tokens' ? <OwnTokens /> : <PasswordForm />}
    </section>
  );
}

/** A month from today, as `YYYY-MM-DD`: a token that is forgotten stops working on its own. */
function aMonthFromToday(): string {
  return new Date(Date.now() + 30 * 24 * 3600 * 1000).toISOString().slice(0, 10);
}

function OwnTokens() {
  const [state, reload] = useLoad(['own-tokens'], () => api.get<TokenNative[]>(apiPaths.personalAccessTokens({ per_page: 100 })));
  const { error, act } = useAction(reload);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(['read_api']);
  const [expiresAt, setExpiresAt] = useState(aMonthFromToday);
  const [secret, setSecret] = useState<string | null>(null);
  return (
    <>
      <h2>Personal access tokens</h2>
      <p className="muted">A token acts as you through the API, the MLflow client and git, within its scopes. It is shown once, when it is made.</p>
      <ErrorLine error={error} />
      {secret && <SecretOnce secret={secret} />}
      <form
        className="panel token-form"
        onSubmit={(e) => {
          e.preventDefault();
          void act(async () => {
            const body: CreateTokenBody = { name, scopes, expires_at: expiresAt === '' ? null : expiresAt };
            const created = await api.post<CreatedToken>(apiPaths.createPersonalAccessToken, body);
            setSecret(created.token);
            setName('');
          });
        }}
      >
        <div className="toolbar">
          <label>
            Token name <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={255} />
          </label>
          <label>
            Expires on <input type="date" value={expiresAt} min={new Date(Date.now() + 24 * 3600 * 1000).toISOString().slice(0, 10)} onChange={(e) => setExpiresAt(e.target.value)} />
          </label>
        </div>
        <fieldset className="toolbar">
          <legend>Scopes</legend>
          {TOKEN_SCOPES.map((scope) => (
            <label key={scope}>
              <input type="checkbox" checked={scopes.includes(scope)} onChange={(e) => setScopes(e.target.checked ? [...scopes, scope] : scopes.filter((s) => s !== scope))} /> {scope}
            </label>
          ))}
        </fieldset>
        <button type="submit" className="primary" disabled={scopes.length === 0}>
          Create token
        </button>
      </form>
      <Show state={state}>
        {(tokens) =>
          tokens.length === 0 ? (
            <Empty>You have no personal access tokens.</Empty>
          ) : (
            <table className="grid" data-testid="own-tokens">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Scopes</th>
                  <th>Created</th>
                  <th>Last used</th>
                  <th>Expires</th>
                  <th>State</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {tokens.map((t) => (
                  <tr key={t.id}>
                    <td>{t.name}</td>
                    <td>{t.scopes.join(', ')}</td>
                    <td>{t.created_at.slice(0, 10)}</td>
                    <td>{t.last_used_at ? t.last_used_at.slice(0, 10) : 'never'}</td>
                    <td>{t.expires_at ?? 'never'}</td>
                    <td>{t.active ? 'active' : t.revoked ? 'revoked' : 'expired'}</td>
                    <td>
                      {t.active && (
                        <>
                          <button
                            aria-label={`Rotate ${t.name}`}
                            onClick={() =>
                              act(async () => {
                                const rotated = await api.post<CreatedToken>(apiPaths.rotatePersonalAccessToken(t.id));
                                setSecret(rotated.token);
                              })
                            }
                          >
                            Rotate
                          </button>
                          <button aria-label={`Revoke ${t.name}`} onClick={() => act(() => api.del(apiPaths.personalAccessToken(t.id)))}>
                            Revoke
                          </button>
                        </>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Show>
    </>
  );
}

function PasswordForm() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const { error, act, setError } = useAction(() => undefined);
  return (
    <form
      className="panel password-form"
      onSubmit={(e) => {
        e.preventDefault();
        setDone(null);
        if (next !== again) {
          setError('The new passwords differ.');
          return;
        }
        void act(async () => {
          const body: ChangePasswordBody = { current_password: current, new_password: next };
          const answer = await api.put<PasswordChanged>(apiPaths.ownPassword, body);
          setCurrent('');
          setNext('');
          setAgain('');
          setDone(`Password changed. ${answer.sessions_ended} other browser session${answer.sessions_ended === 1 ? ' was' : 's were'} signed out.`);
        });
      }}
    >
      <h2>Change your password</h2>
      <ErrorLine error={error} />
      {done && (
        <p className="notice" role="status">
          {done}
        </p>
      )}
      <label>
        Current password <input type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} required />
      </label>
      <label>
        New password <input type="password" autoComplete="new-password" minLength={8} value={next} onChange={(e) => setNext(e.target.value)} required />
      </label>
      <label>
        New password again <input type="password" autoComplete="new-password" minLength={8} value={again} onChange={(e) => setAgain(e.target.value)} required />
      </label>
      <button type="submit" className="primary">
        Change password
      </button>
    </form>
  );
}
