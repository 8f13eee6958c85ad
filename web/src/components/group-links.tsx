import { useState } from 'react';
import type { GroupLink, GroupLinkBody, SignInOptions } from '../../../src/auth/sso/contract.ts';
import { api } from '../api.ts';
import { apiPaths } from '../api-paths.ts';
import type { Project } from '../project.ts';
import { ErrorLine, useAction } from './action.tsx';
import { Empty, Show, useLoad } from './states.tsx';

const ROLES_BELOW_OWNER: [GroupLinkBody['access_level'], string][] = [
  [10, 'guest'],
  [20, 'reporter'],
  [30, 'developer'],
  [40, 'maintainer'],
];

/**
 * A project's single sign-on group links: members of a provider's group get the role in the
 * project at their next sign-in through that provider, and lose it when they leave the group.
 */
export function GroupLinks({ project }: { project: Project }) {
  const paths = apiPaths.project(project.id);
  const [state, reload] = useLoad(['sso-group-links', project.id], () => api.get<GroupLink[]>(paths.ssoGroupLinks));
  const [options] = useLoad(['sign-in-options'], () => api.get<SignInOptions>(apiPaths.signInOptions));
  const providers = options.status === 'ready' ? options.data.providers : [];
  const { error, act } = useAction(reload);
  const [provider, setProvider] = useState('');
  const [group, setGroup] = useState('');
  const [level, setLevel] = useState<GroupLinkBody['access_level']>(30);
  const chosen = provider || providers[0]?.id || '';
  const roleName = (l: number) => ROLES_BELOW_OWNER.find(([value]) => value === l)?.[1] ?? String(l);
  return (
    <>
      <ErrorLine error={error} />
      <Show state={state}>
        {(links) =>
          links.length === 0 ? (
            <Empty>No group links.</Empty>
          ) : (
            <table className="grid" data-testid="group-links">
              <tbody>
                {links.map((link) => (
                  <tr key={link.id}>
                    <td>{link.provider}</td>
                    <td>{link.group_name}</td>
                    <td>{roleName(link.access_level)}</td>
                    <td>
                      <button aria-label={`Remove link to ${link.group_name}`} onClick={() => act(() => api.del(paths.ssoGroupLink(link.id)))}>
                        Remove
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
        <p className="muted">No single sign-on provider is configured (MODELYARD_OIDC_PROVIDERS), so there are no groups to link.</p>
      ) : (
        <form
          className="toolbar"
          onSubmit={(e) => {
            e.preventDefault();
            void act(async () => {
              await api.post<GroupLink>(paths.ssoGroupLinks, { provider: chosen, group_name: group, access_level: level } satisfies GroupLinkBody);
              setGroup('');
            });
          }}
        >
          <select aria-label="Group provider" value={chosen} onChange={(e) => setProvider(e.target.value)}>
            {providers.map((p) => (
              <option key={p.id} value={p.id}>
                {p.id}
              </option>
            ))}
          </select>
          <input aria-label="Group name" placeholder="group at the provider" value={group} onChange={(e) => setGroup(e.target.value)} required />
          <select aria-label="Role of the group" value={level} onChange={(e) => setLevel(Number(e.target.value) as GroupLinkBody['access_level'])}>
            {ROLES_BELOW_OWNER.map(([l, name]) => (
              <option key={l} value={l}>
                {name}
              </option>
            ))}
          </select>
          <button type="submit">Link group</button>
        </form>
      )}
    </>
  );
}
