import { useState } from 'react';
import type { CreateMemberRoleBody, CustomAbilityField, MemberRoleNative } from '../../../src/auth/custom-roles/contract.ts';
import { api } from '../api.ts';
import { apiPaths } from '../api-paths.ts';
import { ErrorLine, useAction } from './action.tsx';
import { Empty, Show, useLoad } from './states.tsx';

/** What each ability of a custom role lets a member do (every field of the API, or this does not compile). */
export const CUSTOM_ABILITY_LABELS: Record<CustomAbilityField, string> = {
  read_code: 'Read the linked repository',
  read_packages: 'Read packages',
  read_pipelines: 'Read pipelines and job logs',
  read_deployments: 'Read environments and deployments',
  write_model_registry: 'Write experiments, runs and models',
  write_packages: 'Write packages',
  run_pipelines: 'Run pipelines',
  deploy: 'Deploy, stop and roll back',
  deploy_to_protected_environments: 'Deploy to protected environments as a maintainer',
  approve_deployments: 'Approve deployments',
  approve_model_versions: 'Approve model versions',
  admin_model_registry: 'Maintain the registry (settings, protected aliases)',
  read_cicd_settings: 'Read CI settings and variables',
  admin_cicd_variables: 'Manage CI settings and variables',
  read_environment_settings: 'Read environment settings and protection',
  admin_protected_environments: 'Manage environment settings and protection',
  read_web_hook: 'Read webhooks',
  admin_web_hook: 'Manage webhooks',
  read_audit_events: 'Read the audit log',
  read_project_access_tokens: 'Read project access tokens',
};
const FIELDS = Object.keys(CUSTOM_ABILITY_LABELS) as CustomAbilityField[];

export const BASE_ROLE_NAMES: Record<number, string> = { 10: 'guest', 20: 'reporter', 30: 'developer' };

/** The administrator's custom roles: a base role plus extra abilities (docs/permissions.md). */
export function MemberRolesAdmin() {
  const [state, reload] = useLoad(['member-roles'], () => api.get<MemberRoleNative[]>(apiPaths.memberRoles));
  const { error, act } = useAction(reload);
  return (
    <>
      <NewMemberRole onCreated={reload} />
      <ErrorLine error={error} />
      <Show state={state} what="Loading custom roles">
        {(roles) =>
          roles.length === 0 ? (
            <Empty>No custom roles yet.</Empty>
          ) : (
            <table className="grid" data-testid="member-roles">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Base role</th>
                  <th>Adds</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {roles.map((role) => (
                  <tr key={role.id} data-testid={`member-role-${role.name}`}>
                    <td>
                      {role.name}
                      {role.description && <div className="muted">{role.description}</div>}
                    </td>
                    <td>{BASE_ROLE_NAMES[role.base_access_level] ?? role.base_access_level}</td>
                    <td>
                      {FIELDS.filter((field) => role[field])
                        .map((field) => CUSTOM_ABILITY_LABELS[field])
                        .join(', ')}
                    </td>
                    <td>
                      <button aria-label={`Delete ${role.name}`} onClick={() => act(() => api.del(apiPaths.memberRole(role.id)))}>
                        Delete
                      </button>
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

function NewMemberRole({ onCreated }: { onCreated: () => void }) {
  const { error, act } = useAction(onCreated);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [base, setBase] = useState(20);
  const [chosen, setChosen] = useState<CustomAbilityField[]>([]);
  return (
    <form
      className="panel"
      onSubmit={(e) => {
        e.preventDefault();
        void act(async () => {
          const body: CreateMemberRoleBody = { name, description, base_access_level: base, ...Object.fromEntries(chosen.map((field) => [field, true])) };
          await api.post<MemberRoleNative>(apiPaths.memberRoles, body);
          setName('');
          setDescription('');
          setChosen([]);
        });
      }}
    >
      <strong>New custom role</strong>
      <ErrorLine error={error} />
      <div className="toolbar">
        <label>
          Name <input required value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label>
          Description <input value={description} onChange={(e) => setDescription(e.target.value)} />
        </label>
        <label>
          Base role{' '}
          <select value={base} onChange={(e) => setBase(Number(e.target.value))}>
            {Object.entries(BASE_ROLE_NAMES).map(([level, roleName]) => (
              <option key={level} value={level}>
                {roleName}
              </option>
            ))}
          </select>
        </label>
      </div>
      <fieldset>
        <legend>Extra abilities</legend>
        {FIELDS.map((field) => (
          <label key={field} className="checkbox">
            <input type="checkbox" checked={chosen.includes(field)} onChange={(e) => setChosen(e.target.checked ? [...chosen, field] : chosen.filter((f) => f !== field))} />{' '}
            {CUSTOM_ABILITY_LABELS[field]} <code>{field}</code>
          </label>
        ))}
      </fieldset>
      <button type="submit" className="primary">
        Create role
      </button>
    </form>
  );
}
