import { useState } from 'react';
import { api } from '../api.ts';
import { apiPaths } from '../api-paths.ts';
import { actionError } from '../pipelines-model.ts';
import type { ImportJobNative } from '../../../src/imports/contract.ts';
import { DialogButtons, ImportAlert, ImportDialog, ImportJobProgress } from './import-progress.tsx';

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
  return (
    <ImportDialog id="hub-import" title="Import from Hugging Face" open={open} onClose={onClose}>
      <HubImport projectId={projectId} onClose={onClose} />
    </ImportDialog>
  );
}

function HubImport({ projectId, onClose }: { projectId: number; onClose: () => void }) {
  const [job, setJob] = useState<ImportJobNative | null>(null);
  if (job === null) return <ImportForm projectId={projectId} onStarted={setJob} onClose={onClose} />;
  return (
    <>
      <ImportJobProgress
        projectId={projectId}
        job={job}
        onChange={setJob}
        label="Import progress"
        summary={
          <>
            <strong>{job.source.repository}</strong> at <code>{String(job.source.commit).slice(0, 12)}</code> into <strong>{job.model_name}</strong>
          </>
        }
      />
      <DialogButtons onClose={onClose} />
    </>
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
      <ImportAlert text={error} />
      <DialogButtons onClose={onClose}>
        <button type="submit" className="primary" disabled={busy}>
          Import
        </button>
      </DialogButtons>
    </form>
  );
}
