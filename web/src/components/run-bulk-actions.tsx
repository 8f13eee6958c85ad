import { useState } from 'react';
import { api } from '../api.ts';
import { apiPaths } from '../api-paths.ts';
import { plural } from '../format.ts';
import { navigate } from '../router.tsx';
import { ErrorLine, useAction } from './action.tsx';
import { ConfirmDialog, type ConfirmRequest } from './confirm-dialog.tsx';

/** Runs one call per run, a few at a time: a hundred runs at once must not queue a hundred requests. */
async function eachRun(runIds: string[], call: (runId: string) => Promise<unknown>): Promise<void> {
  const queue = [...runIds];
  const worker = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) await call(id);
  };
  await Promise.all(Array.from({ length: Math.min(4, queue.length) }, worker));
}

/**
 * What can be done to the runs ticked in the table at once: compare them, and for those who may
 * write, tag or delete them (restore them, in the deleted runs' view).
 */
export function RunBulkActions({ projectId, selected, deletedView, canWrite, onDone }: { projectId: number; selected: string[]; deletedView: boolean; canWrite: boolean; onDone: () => void }) {
  const { error, act } = useAction(onDone);
  const [tagKey, setTagKey] = useState('');
  const [tagValue, setTagValue] = useState('');
  const [confirming, setConfirming] = useState<ConfirmRequest | null>(null);
  const paths = apiPaths.project(projectId);
  const count = selected.length;
  const none = count === 0;
  return (
    <div className="bulk-actions" role="group" aria-label="Selected runs">
      <button disabled={count < 2 || count > 100} onClick={() => navigate(`/projects/${projectId}/compare?runs=${selected.join(',')}`)}>
        Compare {count > 0 ? `(${count})` : ''}
      </button>
      {canWrite && !deletedView && (
        <>
          <form
            className="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              void act(() => eachRun(selected, (runId) => api.post(paths.mlflowRuns.setTag, { run_id: runId, key: tagKey.trim(), value: tagValue })));
            }}
          >
            <input aria-label="Tag key" placeholder="tag" value={tagKey} onChange={(e) => setTagKey(e.target.value)} />
            <input aria-label="Tag value" placeholder="value" value={tagValue} onChange={(e) => setTagValue(e.target.value)} />
            <button type="submit" disabled={none || !tagKey.trim()}>
              Tag
            </button>
          </form>
          <button
            className="reject"
            disabled={none}
            onClick={() =>
              setConfirming({
                title: `Delete ${plural(count, 'run')}?`,
                body: 'Deleted runs leave the table; they can be restored from the deleted runs.',
                confirmLabel: 'Delete',
                danger: true,
                run: () => eachRun(selected, (runId) => api.del(paths.run(runId).self)),
              })
            }
          >
            Delete
          </button>
        </>
      )}
      {canWrite && deletedView && (
        <button disabled={none} onClick={() => void act(() => eachRun(selected, (runId) => api.post(paths.mlflowRuns.restore, { run_id: runId })))}>
          Restore
        </button>
      )}
      <ErrorLine error={error} />
      <ConfirmDialog
        request={confirming}
        onClose={() => setConfirming(null)}
        onDone={() => {
          setConfirming(null);
          onDone();
        }}
      />
    </div>
  );
}
