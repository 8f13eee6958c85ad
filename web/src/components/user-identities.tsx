import { useState } from 'react';
import type { UpdateUserBody, UserAsAdminSees } from '../../../src/auth/contract.ts';
import type { SignInOptions } from '../../../src/auth/sso/contract.ts';
import { api } from '../api.ts';
import { apiPaths } from '../api-paths.ts';
import { ErrorLine, useAction } from './action.tsx';
import { Show, useLoad } from './states.tsx';

/**
 * A person's links to single sign-on accounts, for an administrator: linking an existing account
 * lets its owner sign in through the provider (never by a matching username alone), and removing
 * the link stops that.
 */
export function UserIdentities({ userId, username }: { userId: number; username: string }) {
  const [state, reload] = useLoad(['admin-user', userId], () => api.get<UserAsAdminSees>(apiPaths.user(userId).self));
  const [options] = useLoad(['sign-in-options'], () => api.get<SignInOptions>(apiPaths.signInOptions));
  const providers = options.status === 'ready' ? options.data.providers : [];
  const { error, act } = useAction(reload);
  const [provider, setProvider] = useState('');
  const [subject, setSubject] = useState('');
  const chosen = provider || providers[0]?.id || '';
  return (
    <div className="panel" data-testid={`identities-${username}`}>
      <strong>Single sign-on links of {username}</strong>
      <ErrorLine error={error} />
      <Show state={state}>
        {(user) =>
          (user.identities ?? []).length === 0 ? (
            <p className="muted">No links.</p>
          ) : (
            <table className="grid">
              <tbody>
                {(user.identities ?? []).map((identity) => (
                  <tr key={identity.provider}>
                    <td>{identity.provider}</td>
                    <td>
                      <code>{identity.extern_uid}</code>
                    </td>
                    <td>
                      <button aria-label={`Unlink ${identity.provider}`} onClick={() => act(() => api.del(apiPaths.user(userId).identity(identity.provider)))}>
                        Unlink
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Show>
      {providers.length === 0 ? (
        <p className="muted">No single sign-on provider is configured (MODELYARD_OIDC_PROVIDERS).</p>
      ) : (
        <form
          className="toolbar"
          onSubmit={(e) => {
            e.preventDefault();
            void act(async () => {
              const body: UpdateUserBody = { provider: chosen, extern_uid: subject };
              await api.put(apiPaths.user(userId).self, body);
              setSubject('');
            });
          }}
        >
          <select aria-label="Provider" value={chosen} onChange={(e) => setProvider(e.target.value)}>
            {providers.map((p) => (
              <option key={p.id} value={p.id}>
                {p.id}
              </option>
            ))}
          </select>
          <input aria-label="Account at the provider (subject)" placeholder="subject (sub)" value={subject} onChange={(e) => setSubject(e.target.value)} required />
          <button type="submit">Link</button>
        </form>
      )}
    </div>
  );
}
