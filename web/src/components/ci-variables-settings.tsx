import { useState } from 'react';
import type { CiVariable, Trigger } from '../../../src/pipelines/contract.ts';
import { api } from '../api.ts';
import { apiPaths } from '../api-paths.ts';
import type { Project } from '../project.ts';
import { ErrorLine, useAction } from './action.tsx';
import { SecretOnce } from './secret-once.tsx';
import { Empty, Show, useLoad } from './states.tsx';

/**
 * CI variables: added, changed and deleted here. A masked variable's value is never put on the
 * page (it is what job logs hide); changing it means typing a new one.
 */
export function CiVariablesSettings({ project }: { project: Project }) {
  const paths = apiPaths.project(project.id);
  const [state, reload] = useLoad(['ci-variables', project.id], () => api.get<CiVariable[]>(paths.variables));
  const { error, act } = useAction(reload);
  const [editing, setEditing] = useState<CiVariable | null>(null);
  return (
    <Show state={state} what="Loading CI variables">
      {(variables) => (
        <section aria-labelledby="ci-variables">
          <h2 id="ci-variables">Variables</h2>
          <ErrorLine error={error} />
          {variables.length === 0 ? (
            <Empty>No CI variables.</Empty>
          ) : (
            <table className="grid" data-testid="ci-variables">
              <thead>
                <tr>
                  <th>Key</th>
                  <th>Value</th>
                  <th>Flags</th>
                  <th>Description</th>
                  <th>
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {variables.map((v) => (
                  <tr key={v.key}>
                    <td>
                      <code>{v.key}</code>
                    </td>
                    <td>{v.masked ? <span className="muted">masked</span> : <code>{v.value}</code>}</td>
                    <td>{[v.protected && 'protected', v.masked && 'masked', v.raw && 'raw'].filter(Boolean).join(', ')}</td>
                    <td>{v.description}</td>
                    <td>
                      <button type="button" onClick={() => setEditing(v)} aria-label={`Edit ${v.key}`}>
                        Edit
                      </button>{' '}
                      <button type="button" onClick={() => void act(() => api.del(paths.variable(v.key)))} aria-label={`Delete ${v.key}`}>
                        Delete
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <VariableForm
            key={editing?.key ?? 'new'}
            editing={editing}
            onSave={(body) =>
              act(async () => {
                if (editing) await api.put(paths.variable(editing.key), body);
                else await api.post(paths.variables, body);
                setEditing(null);
              })
            }
            onCancel={() => setEditing(null)}
          />
        </section>
      )}
    </Show>
  );
}

function VariableForm({ editing, onSave, onCancel }: { editing: CiVariable | null; onSave: (body: Record<string, unknown>) => Promise<boolean>; onCancel: () => void }) {
  return (
    <form
      className="forms"
      aria-label={editing ? `Change ${editing.key}` : 'Add a variable'}
      onSubmit={(e) => {
        e.preventDefault();
        const form = e.currentTarget;
        const data = new FormData(form);
        const value = String(data.get('value'));
        const body: Record<string, unknown> = {
          protected: data.get('protected') === 'on',
          masked: data.get('masked') === 'on',
          description: String(data.get('description')),
        };
        if (!editing) body.key = String(data.get('key')).trim();
        // An edit of a masked variable keeps its value unless a new one is typed.
        if (!editing || !editing.masked || value !== '') body.value = value;
        void onSave(body).then((ok) => ok && !editing && form.reset());
      }}
    >
      <h3>{editing ? `Change ${editing.key}` : 'Add a variable'}</h3>
      {!editing && (
        <label>
          Key <input name="key" required pattern="[A-Za-z0-9_]+" title="Letters, digits and _" maxLength={255} />
        </label>
      )}
      <label>
        Value{' '}
        <textarea
          name="value"
          rows={2}
          required={!editing?.masked}
          placeholder={editing?.masked ? 'Leave empty to keep the masked value' : ''}
          defaultValue={editing && !editing.masked ? editing.value : ''}
        />
      </label>
      <label>
        Description <input name="description" maxLength={255} defaultValue={editing?.description ?? ''} />
      </label>
      <label>
        <input name="protected" type="checkbox" defaultChecked={editing?.protected ?? false} /> Protected: only pipelines of protected branches get it
      </label>
      <label>
        <input name="masked" type="checkbox" defaultChecked={editing?.masked ?? false} /> Masked: hidden in job logs
      </label>
      <div className="toolbar">
        <button type="submit" className="primary">
          {editing ? 'Save variable' : 'Add variable'}
        </button>
        {editing && (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}

/** Pipeline trigger tokens: made here (shown once), listed by their first characters, deleted. */
export function CiTriggersSettings({ project }: { project: Project }) {
  const paths = apiPaths.project(project.id);
  const [state, reload] = useLoad(['ci-triggers', project.id], () => api.get<Trigger[]>(paths.triggers));
  const { error, act } = useAction(reload);
  const [created, setCreated] = useState<string | null>(null);
  return (
    <Show state={state} what="Loading trigger tokens">
      {(triggers) => (
        <section aria-labelledby="ci-triggers">
          <h2 id="ci-triggers">Pipeline trigger tokens</h2>
          <ErrorLine error={error} />
          {created && <SecretOnce secret={created} label="Your new trigger token" />}
          {triggers.length === 0 ? (
            <Empty>No trigger tokens.</Empty>
          ) : (
            <table className="grid" data-testid="ci-triggers">
              <tbody>
                {triggers.map((t) => (
                  <tr key={t.id}>
                    <td>{t.description || <span className="muted">no description</span>}</td>
                    <td>
                      <code>{t.token}…</code>
                    </td>
                    <td>{t.last_used ? `used ${new Date(t.last_used).toLocaleString()}` : 'never used'}</td>
                    <td>
                      <button type="button" aria-label={`Delete trigger ${t.description || t.id}`} onClick={() => void act(() => api.del(paths.trigger(t.id)))}>
                        Delete
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <form
            className="forms"
            aria-label="Add a trigger token"
            onSubmit={(e) => {
              e.preventDefault();
              const form = e.currentTarget;
              const description = String(new FormData(form).get('description'));
              void act(async () => setCreated((await api.post<Trigger>(paths.triggers, { description })).token)).then((ok) => ok && form.reset());
            }}
          >
            <label>
              Trigger description <input name="description" maxLength={255} required />
            </label>
            <button type="submit">Add trigger token</button>
          </form>
        </section>
      )}
    </Show>
  );
}
