import { useState } from 'react';
import { useAction } from '../components/action.tsx';
import { AuditLog } from '../components/audit-log.tsx';
import type { AuditEventNative, CreatedWebhook, CreateWebhookBody, WebhookDeliveryNative, WebhookNative } from '../../../src/events/contract.ts';
import type { CreatedToken, CreateTokenBody, ProjectTokenNative, TokenNative, UserNative } from '../../../src/auth/contract.ts';
import type { AddMemberBody, MemberNative, UpdateMemberBody } from '../../../src/projects/contract.ts';
import type { MemberRoleNative } from '../../../src/auth/custom-roles/contract.ts';
import { api } from '../api.ts';
import { ProjectNav } from '../components/project-nav.tsx';
import { GroupLinks } from '../components/group-links.tsx';
import { SecretOnce } from '../components/secret-once.tsx';
import { Empty, Show, useLoad } from '../components/states.tsx';
import { loadProject, powersOf, type Project } from '../project.ts';
import type { RegistrySettingsNative } from '../../../src/registry/contract.ts';
import { apiPaths } from '../api-paths.ts';
import { Link, navigate, useLocation } from '../router.tsx';
import { CiRepositorySettings } from '../components/ci-repository-settings.tsx';
import { CiTriggersSettings, CiVariablesSettings } from '../components/ci-variables-settings.tsx';
import { GoogleCloudIntegration } from '../components/google-cloud-integration.tsx';
import { usePageTitle } from '../page-title.ts';

const ROLES: [number, string][] = [
  [10, 'guest'],
  [20, 'reporter'],
  [30, 'developer'],
  [40, 'maintainer'],
  [50, 'owner'],
];

const SECTIONS = ['members', 'single sign-on', 'tokens', 'webhooks', 'registry', 'ci/cd', 'integrations', 'audit'] as const;
type Section = (typeof SECTIONS)[number];

export function SettingsPage({ projectId }: { projectId: string }) {
  // The open tab lives in the address (?tab=webhooks): a reload keeps it and a link can point at it.
  const { path, query } = useLocation();
  const section: Section = SECTIONS.find((s) => s === query.get('tab')) ?? 'members';
  const setSection = (next: Section) => navigate(next === 'members' ? path : `${path}?tab=${encodeURIComponent(next)}`);
  const [state] = useLoad(['project', projectId], () => loadProject(projectId));
  usePageTitle('Settings', state.status === 'ready' ? state.data.name : null);
  return (
    <Show state={state} what="Loading settings">
      {(project) =>
        !powersOf(project).canMaintain ? (
          <Empty>Only maintainers see this project's settings.</Empty>
        ) : (
          <section>
            <ProjectNav project={project} />
            <nav className="tabs" role="tablist">
              {SECTIONS.map((s) => (
                <button key={s} role="tab" aria-selected={section === s} className={section === s ? 'active' : ''} onClick={() => setSection(s)}>
                  {s}
                </button>
              ))}
            </nav>
            {section === 'members' && <Members project={project} />}
            {section === 'single sign-on' && <GroupLinks project={project} />}
            {section === 'tokens' && <Tokens project={project} />}
            {section === 'webhooks' && <Webhooks project={project} />}
            {section === 'registry' && <RegistrySettings project={project} />}
            {section === 'ci/cd' && (
              <>
                <CiRepositorySettings project={project} />
                <CiVariablesSettings project={project} />
                <CiTriggersSettings project={project} />
              </>
            )}
            {section === 'integrations' && <GoogleCloudIntegration project={project} />}
            {section === 'audit' && <Audit project={project} />}
          </section>
        )
      }
    </Show>
  );
}

/** A role as the members page offers it: a base role, or a custom role on its base ("20:3"). */
function roleChoice(level: number, memberRoleId: number | null): string {
  return memberRoleId === null ? String(level) : `${level}:${memberRoleId}`;
}

function chosenRole(choice: string): { access_level: number; member_role_id: number | null } {
  const [level, roleId] = choice.split(':');
  return { access_level: Number(level), member_role_id: roleId === undefined ? null : Number(roleId) };
}

/** The base roles the caller may give, each followed by the custom roles built on it. */
function RoleOptions({ ownLevel, customRoles }: { ownLevel: number; customRoles: MemberRoleNative[] }) {
  return (
    <>
      {ROLES.filter(([l]) => l < 50 || ownLevel >= 50).map(([l, name]) => [
        <option key={l} value={roleChoice(l, null)}>
          {name}
        </option>,
        ...customRoles
          .filter((role) => role.base_access_level === l)
          .map((role) => (
            <option key={`${l}:${role.id}`} value={roleChoice(l, role.id)}>
              {name} + {role.name}
            </option>
          )),
      ])}
    </>
  );
}

function Members({ project }: { project: Project }) {
  const [state, reload] = useLoad(['project-members', project.id], () =>
    Promise.all([api.get<MemberNative[]>(apiPaths.project(project.id).members({ per_page: 100 })), api.get<MemberRoleNative[]>(apiPaths.memberRoles)]),
  );
  const { error, act } = useAction(reload);
  const [username, setUsername] = useState('');
  const [choice, setChoice] = useState('30');
  const ownLevel = powersOf(project).level;
  return (
    <Show state={state}>
      {([members, customRoles]) => (
        <>
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
          <table className="grid">
            <tbody>
              {members.map((m) => (
                <tr key={m.id}>
                  <td>
                    {m.username} {m.bot && <span className="badge">bot</span>}
                  </td>
                  <td>
                    <select
                      aria-label={`Role of ${m.username}`}
                      value={roleChoice(m.access_level, m.member_role_id)}
                      onChange={(e) => act(() => api.put<MemberNative>(apiPaths.project(project.id).member(m.id), chosenRole(e.target.value) satisfies UpdateMemberBody))}
                    >
                      <RoleOptions ownLevel={ownLevel} customRoles={m.bot ? [] : customRoles} />
                    </select>
                  </td>
                  <td>
                    <button onClick={() => act(() => api.del(apiPaths.project(project.id).member(m.id)))}>Remove</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <form
            className="toolbar"
            onSubmit={(e) => {
              e.preventDefault();
              void act(async () => {
                const found = await api.get<UserNative[]>(apiPaths.users({ username }));
                if (!found[0]) throw new Error(`No user named ${username}`);
                await api.post<MemberNative>(apiPaths.project(project.id).members(), { user_id: found[0].id, ...chosenRole(choice) } satisfies AddMemberBody);
              });
            }}
          >
            <input aria-label="Username to add" placeholder="username" value={username} onChange={(e) => setUsername(e.target.value)} required />
            <select aria-label="Role to give" value={choice} onChange={(e) => setChoice(e.target.value)}>
              <RoleOptions ownLevel={ownLevel} customRoles={customRoles} />
            </select>
            <button type="submit">Add member</button>
          </form>
        </>
      )}
    </Show>
  );
}

function Tokens({ project }: { project: Project }) {
  const [state, reload] = useLoad(['access-tokens', project.id], async () => {
    const [personal, projectTokens] = await Promise.all([
      api.get<TokenNative[]>(apiPaths.personalAccessTokens({ per_page: 100 })),
      api.get<ProjectTokenNative[]>(apiPaths.project(project.id).accessTokens({ per_page: 100 })),
    ]);
    return { personal, projectTokens };
  });
  const { error, act } = useAction(reload);
  const [name, setName] = useState('');
  const [scope, setScope] = useState('api');
  const [secret, setSecret] = useState<string | null>(null);
  return (
    <Show state={state}>
      {({ personal, projectTokens }) => (
        <>
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
          {secret && <SecretOnce secret={secret} />}
          <h3>Your personal access tokens</h3>
          <p className="muted">
            Also in <Link to="/user/settings/tokens">your settings</Link>, with expiry dates and rotation.
          </p>
          <TokenTable tokens={personal} onRevoke={(id) => act(() => api.del(apiPaths.personalAccessToken(id)))} />
          <form
            className="toolbar"
            onSubmit={(e) => {
              e.preventDefault();
              void act(async () => {
                const created = await api.post<CreatedToken>(apiPaths.createPersonalAccessToken, { name, scopes: [scope] } satisfies CreateTokenBody);
                setSecret(created.token);
                setName('');
              });
            }}
          >
            <input aria-label="Token name" placeholder="name" value={name} onChange={(e) => setName(e.target.value)} required />
            <select aria-label="Token scope" value={scope} onChange={(e) => setScope(e.target.value)}>
              {['api', 'read_api', 'read_model_registry', 'write_model_registry', 'serve'].map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
            <button type="submit">Create token</button>
          </form>
          <h3>Project access tokens</h3>
          <TokenTable tokens={projectTokens} onRevoke={(id) => act(() => api.del(apiPaths.project(project.id).accessToken(id)))} />
        </>
      )}
    </Show>
  );
}

function TokenTable({ tokens, onRevoke }: { tokens: TokenNative[]; onRevoke: (id: number) => void }) {
  if (tokens.length === 0) return <Empty>No tokens.</Empty>;
  return (
    <table className="grid">
      <tbody>
        {tokens.map((t) => (
          <tr key={t.id}>
            <td>{t.name}</td>
            <td>{t.scopes.join(', ')}</td>
            <td>{t.active ? 'active' : 'revoked or expired'}</td>
            <td>{t.active && <button onClick={() => onRevoke(t.id)}>Revoke</button>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Webhooks({ project }: { project: Project }) {
  const [state, reload] = useLoad(['project-webhooks', project.id], () => api.get<WebhookNative[]>(apiPaths.project(project.id).hooks));
  const { error, act } = useAction(reload);
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState('registry.*');
  const [secret, setSecret] = useState<string | null>(null);
  const [log, setLog] = useState<{ hook: number; items: WebhookDeliveryNative[] } | null>(null);
  return (
    <Show state={state}>
      {(hooks) => (
        <>
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
          {secret && (
            <p className="notice">
              Signing secret (shown once): <code>{secret}</code>
            </p>
          )}
          {hooks.length === 0 ? (
            <Empty>No webhooks.</Empty>
          ) : (
            <table className="grid">
              <tbody>
                {hooks.map((h) => (
                  <tr key={h.id}>
                    <td>{h.url}</td>
                    <td>{h.events.join(', ')}</td>
                    <td>
                      <button onClick={async () => setLog({ hook: h.id, items: await api.get<WebhookDeliveryNative[]>(apiPaths.project(project.id).hookDeliveries(h.id, { per_page: 50 })) })}>
                        Deliveries
                      </button>
                      <button onClick={() => act(() => api.del(apiPaths.project(project.id).hook(h.id)))}>Delete</button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {log && (
            <table className="grid" data-testid="delivery-log">
              <thead>
                <tr>
                  <th>Event</th>
                  <th>State</th>
                  <th>Tries</th>
                </tr>
              </thead>
              <tbody>
                {log.items.map((d) => (
                  <tr key={d.id}>
                    <td>{d.event_type}</td>
                    <td>{d.state}</td>
                    <td>{d.attempts.map((a) => a.status_code ?? a.error).join(' → ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <form
            className="toolbar"
            onSubmit={(e) => {
              e.preventDefault();
              void act(async () => {
                const created = await api.post<CreatedWebhook>(apiPaths.project(project.id).hooks, {
                  url,
                  events: events
                    .split(',')
                    .map((s) => s.trim())
                    .filter(Boolean),
                } satisfies CreateWebhookBody);
                setSecret(created.secret);
              });
            }}
          >
            <input aria-label="Webhook URL" placeholder="https://example.com/hook" value={url} onChange={(e) => setUrl(e.target.value)} required />
            <input aria-label="Webhook events" value={events} onChange={(e) => setEvents(e.target.value)} />
            <button type="submit">Add webhook</button>
          </form>
        </>
      )}
    </Show>
  );
}

function RegistrySettings({ project }: { project: Project }) {
  const [state, reload] = useLoad(['registry-settings', project.id], () => api.get<RegistrySettingsNative>(apiPaths.project(project.id).registrySettings));
  const { error, act } = useAction(reload);
  return (
    <Show state={state}>
      {(settings) => (
        <form
          className="forms"
          onSubmit={(e) => {
            e.preventDefault();
            const data = new FormData(e.currentTarget);
            void act(() =>
              api.put(apiPaths.project(project.id).registrySettings, {
                required_approvals: Number(data.get('required')),
                protected_aliases: String(data.get('protected'))
                  .split(',')
                  .map((s) => s.trim())
                  .filter(Boolean),
              }),
            );
          }}
        >
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
          <label>
            Approvals required <input name="required" type="number" min={1} max={10} defaultValue={settings.required_approvals} />
          </label>
          <label>
            Protected aliases <input name="protected" defaultValue={settings.protected_aliases.join(', ')} />
          </label>
          <button type="submit">Save</button>
        </form>
      )}
    </Show>
  );
}

function Audit({ project }: { project: Project }) {
  const [state] = useLoad(['project-audit-events', project.id], () => api.get<AuditEventNative[]>(apiPaths.project(project.id).auditEvents({ per_page: 100 })));
  return <Show state={state}>{(events) => (events.length === 0 ? <Empty>Nothing audited yet.</Empty> : <AuditLog events={events} />)}</Show>;
}
