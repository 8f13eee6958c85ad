import { useEffect, useRef, useState } from 'react';
import { api } from '../api.ts';
import { apiPaths } from '../api-paths.ts';
import { formatBytes, formatDuration } from '../format.ts';
import { actionError } from '../pipelines-model.ts';
import { usePolling } from '../polling.ts';
import type { ImportJobNative } from '../../../src/imports/contract.ts';
import { ModelVersionLink } from './model-version-link.tsx';

const ENDED: readonly string[] = ['succeeded', 'failed', 'canceled'];

function Alert({ text }: { text: string | null }) {
  return text ? (
    <p className="error" role="alert">
      {text}
    </p>
  ) : null;
}

/** Patterns typed one a line or separated by commas. */
const patterns = (text: string): string[] | undefined => {
  const list = text
    .split(/[\n,]/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
  return list.length === 0 ? undefined : list;
};

/**
 * "Import from Hugging Face": the repository, revision, model and patterns (and a token for a
 * private or gated repository, sent once and never shown again), then the job followed until it
 * ends (files, bytes, rate, time left), with a cancel button while it runs and, at the end, a link
 * to the version it made.
 */
export function HubImportDialog({ projectId, open, onClose }: { projectId: number; open: boolean; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [job, setJob] = useState<ImportJobNative | null>(null);
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) element.showModal();
    else if (!open && element.open) element.close();
    if (!open) setJob(null);
  }, [open]);
  return (
    <dialog ref={dialog} className="confirm hub-import" aria-labelledby="hub-import-title" onClose={onClose}>
      <h2 id="hub-import-title">Import from Hugging Face</h2>
      {open && (job === null ? <ImportForm projectId={projectId} onStarted={setJob} onClose={onClose} /> : <ImportProgress projectId={projectId} job={job} onChange={setJob} onClose={onClose} />)}
    </dialog>
  );
}

function ImportForm({ projectId, onStarted, onClose }: { projectId: number; onStarted: (job: ImportJobNative) => void; onClose: () => void }) {
  const [repository, setRepository] = useState('');
  const [revision, setRevision] = useState('main');
  const [model, setModel] = useState('');
  const [include, setInclude] = useState('');
  const [exclude, setExclude] = useState('');
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <form
      aria-label="Import from Hugging Face"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        try {
          const body = {
            repository: repository.trim(),
            revision: revision.trim() || undefined,
            model: model.trim() || repository.trim().split('/').pop()!,
            include: patterns(include),
            exclude: patterns(exclude),
            token: token || undefined,
          };
          onStarted(await api.post<ImportJobNative>(apiPaths.project(projectId).huggingFaceImport, body));
        } catch (err) {
          setError(actionError(err, 'import models'));
        } finally {
          setBusy(false);
        }
      }}
    >
      <label>
        Repository <input aria-label="Repository" placeholder="namespace/name" value={repository} onChange={(e) => setRepository(e.target.value)} required autoFocus />
      </label>
      <label>
        Revision <input aria-label="Revision" placeholder="a branch, tag or commit" value={revision} onChange={(e) => setRevision(e.target.value)} />
      </label>
      <label>
        Model <input aria-label="Model name" placeholder="the repository's name" value={model} onChange={(e) => setModel(e.target.value)} />
      </label>
      <label>
        Only files matching <textarea aria-label="Include patterns" placeholder="*.safetensors, *.json" value={include} onChange={(e) => setInclude(e.target.value)} rows={2} />
      </label>
      <label>
        Leaving out <textarea aria-label="Exclude patterns" placeholder="onnx/" value={exclude} onChange={(e) => setExclude(e.target.value)} rows={2} />
      </label>
      <label>
        Hugging Face token (private or gated repositories) <input aria-label="Hugging Face token" type="password" autoComplete="off" value={token} onChange={(e) => setToken(e.target.value)} />
      </label>
      <Alert text={error} />
      <div className="toolbar">
        <span className="spacer" />
        <button type="button" onClick={onClose}>
          Close
        </button>
        <button type="submit" className="primary" disabled={busy}>
          Import
        </button>
      </div>
    </form>
  );
}

function ImportProgress({ projectId, job, onChange, onClose }: { projectId: number; job: ImportJobNative; onChange: (job: ImportJobNative) => void; onClose: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const paths = apiPaths.project(projectId).importJob(job.id);
  const running = !ENDED.includes(job.state);
  usePolling(running, 1000, () => {
    api.get<ImportJobNative>(paths.self).then(onChange, (err: unknown) => setError(actionError(err, 'follow imports')));
  });
  const { progress } = job;
  const percent = progress.bytes_total > 0 ? Math.floor((100 * progress.bytes_done) / progress.bytes_total) : 0;
  return (
    <div className="import-progress" aria-label="Import progress">
      <p>
        <strong>{job.source.repository}</strong> at <code>{String(job.source.commit).slice(0, 12)}</code> into <strong>{job.model_name}</strong>
      </p>
      <p>
        State: <span className={`status ${job.state}`}>{job.state}</span>
      </p>
      <progress max={100} value={percent} aria-label="Bytes copied" />
      <dl className="key-values">
        <dt>Files</dt>
        <dd>
          {progress.files_done} / {progress.files_total}
        </dd>
        <dt>Bytes</dt>
        <dd>
          {formatBytes(progress.bytes_done)} / {formatBytes(progress.bytes_total)}
        </dd>
        <dt>Rate</dt>
        <dd>{progress.bytes_per_second === null ? '—' : `${formatBytes(progress.bytes_per_second)}/s`}</dd>
        <dt>Time left</dt>
        <dd>{progress.eta_seconds === null ? '—' : formatDuration(progress.eta_seconds)}</dd>
      </dl>
      <Alert text={job.error} />
      <Alert text={error} />
      {job.state === 'succeeded' && job.version_id !== null && (
        <p>
          Imported: <ModelVersionLink projectId={projectId} versionId={job.version_id} />
        </p>
      )}
      <div className="toolbar">
        <span className="spacer" />
        {running && (
          <button
            type="button"
            className="reject"
            onClick={() => {
              api.post<ImportJobNative>(paths.cancel, {}).then(onChange, (err: unknown) => setError(actionError(err, 'cancel imports')));
            }}
          >
            Cancel import
          </button>
        )}
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </div>
  );
}
