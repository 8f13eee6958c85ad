import { useState } from 'react';
import type { RunNative } from '../../../src/tracking/contract.ts';
import { api } from '../api.ts';
import { apiPaths } from '../api-paths.ts';
import { ErrorLine, useAction } from './action.tsx';
import { ConfirmDialog, type ConfirmRequest } from './confirm-dialog.tsx';

/** Where MLflow keeps a run's description (its UI's "Description" box writes the same tag). */
export const DESCRIPTION_TAG = 'mlflow.note.content';

/** Tags a person set, as opposed to the `mlflow.*` ones the client and server keep. */
const ownTags = (run: RunNative) => Object.entries(run.tags).filter(([key]) => !key.startsWith('mlflow.'));

/**
 * A run's description, and for those who may write: renaming it, describing it, its own tags,
 * deleting and restoring it. Every change goes through MLflow's own endpoints (runs/update,
 * set-tag, delete-tag, restore), so it is what the MLflow client would have done.
 */
export function RunEditor({ projectId, run, canWrite, onChanged }: { projectId: number; run: RunNative; canWrite: boolean; onChanged: () => void }) {
  const paths = apiPaths.project(projectId);
  const { error, act } = useAction(onChanged);
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState<ConfirmRequest | null>(null);
  const description = run.tags[DESCRIPTION_TAG] ?? '';
  const deleted = run.lifecycle_stage === 'deleted';
  const save = async (form: HTMLFormElement) => {
    const data = new FormData(form);
    const name = String(data.get('name')).trim();
    const text = String(data.get('description'));
    if (name !== run.name) await api.post(paths.mlflowRuns.update, { run_id: run.id, run_name: name });
    if (text !== description) {
      if (text.trim() === '') await api.post(paths.mlflowRuns.deleteTag, { run_id: run.id, key: DESCRIPTION_TAG });
      else await api.post(paths.mlflowRuns.setTag, { run_id: run.id, key: DESCRIPTION_TAG, value: text });
    }
    const key = String(data.get('tag_key')).trim();
    if (key) await api.post(paths.mlflowRuns.setTag, { run_id: run.id, key, value: String(data.get('tag_value')) });
    setEditing(false);
  };
  return (
    <div className="run-editor">
      {deleted && (
        <p className="notice" role="status">
          This run is deleted: it is left out of the experiment's runs until it is restored.
        </p>
      )}
      {description && !editing && (
        <p className="run-description" data-testid="run-description">
          {description}
        </p>
      )}
      <ErrorLine error={error} />
      {canWrite && !editing && (
        <div className="toolbar">
          <button type="button" onClick={() => setEditing(true)}>
            Edit run
          </button>
          {deleted ? (
            <button type="button" onClick={() => void act(() => api.post(paths.mlflowRuns.restore, { run_id: run.id }))}>
              Restore run
            </button>
          ) : (
            <button
              type="button"
              className="reject"
              onClick={() =>
                setConfirming({
                  title: `Delete ${run.name}?`,
                  body: "The run leaves the experiment's runs; it can be restored from the deleted runs or from this page.",
                  confirmLabel: 'Delete run',
                  danger: true,
                  run: () => api.del(paths.run(run.id).self),
                })
              }
            >
              Delete run
            </button>
          )}
        </div>
      )}
      {editing && (
        <form
          className="forms"
          aria-label="Edit the run"
          onSubmit={(e) => {
            e.preventDefault();
            const form = e.currentTarget;
            void act(() => save(form));
          }}
        >
          <label>
            Run name <input name="name" required maxLength={250} defaultValue={run.name} />
          </label>
          <label>
            Description <textarea name="description" rows={4} maxLength={5000} defaultValue={description} />
          </label>
          <fieldset>
            <legend>Tags</legend>
            <ul className="tag-list">
              {ownTags(run).map(([key, value]) => (
                <li key={key}>
                  <code>{key}</code> = {value}{' '}
                  <button type="button" aria-label={`Remove tag ${key}`} onClick={() => void act(() => api.post(paths.mlflowRuns.deleteTag, { run_id: run.id, key }))}>
                    Remove
                  </button>
                </li>
              ))}
            </ul>
            <label>
              New tag <input name="tag_key" maxLength={250} placeholder="key" />
            </label>
            <label>
              Tag value <input name="tag_value" maxLength={5000} placeholder="value" />
            </label>
          </fieldset>
          <div className="toolbar">
            <button type="submit" className="primary">
              Save
            </button>
            <button type="button" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
      <ConfirmDialog
        request={confirming}
        onClose={() => setConfirming(null)}
        onDone={() => {
          setConfirming(null);
          onChanged();
        }}
      />
    </div>
  );
}
