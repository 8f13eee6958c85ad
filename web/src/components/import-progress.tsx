import { useEffect, useRef, useState, type ReactNode } from 'react';
import { api } from '../api.ts';
import { apiPaths } from '../api-paths.ts';
import { formatBytes, formatDuration } from '../format.ts';
import { actionError } from '../pipelines-model.ts';
import { usePolling } from '../polling.ts';
import type { ImportJobNative } from '../../../src/imports/contract.ts';
import { ModelVersionLink } from './model-version-link.tsx';

/*
 * What the import dialogs (Hugging Face, Vertex AI) share: the dialog itself, its alerts and
 * buttons, and one job's progress.
 */
const ENDED: readonly string[] = ['succeeded', 'failed', 'canceled'];

export const importEnded = (job: ImportJobNative): boolean => ENDED.includes(job.state);

/** A message in the dialog (the server's refusal, a failed job's error), read out when it appears. */
export function ImportAlert({ text }: { text: string | null }) {
  return text ? (
    <p className="error" role="alert">
      {text}
    </p>
  ) : null;
}

/** A modal dialog titled `title`, shown while `open`; its body is mounted only then, so nothing typed outlives a close. */
export function ImportDialog({ id, title, open, onClose, children }: { id: string; title: string; open: boolean; onClose: () => void; children: ReactNode }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) element.showModal();
    else if (!open && element.open) element.close();
  }, [open]);
  return (
    <dialog ref={dialog} className={`confirm import-dialog ${id}`} aria-labelledby={`${id}-title`} onClose={onClose}>
      <h2 id={`${id}-title`}>{title}</h2>
      {open && children}
    </dialog>
  );
}

/**
 * One import job followed until it ends: its state, files, bytes, rate and time left, its
 * error, a cancel button while it runs and, once it succeeded, a link to the version it made.
 * `summary` says what is imported where; `label` names the group (several jobs may be shown).
 */
export function ImportJobProgress({
  projectId,
  job,
  onChange,
  label,
  summary,
}: {
  projectId: number;
  job: ImportJobNative;
  onChange: (job: ImportJobNative) => void;
  label: string;
  summary: ReactNode;
}) {
  const [error, setError] = useState<string | null>(null);
  const paths = apiPaths.project(projectId).importJob(job.id);
  const running = !importEnded(job);
  usePolling(running, 1000, () => {
    api.get<ImportJobNative>(paths.self).then(onChange, (err: unknown) => setError(actionError(err, 'follow imports')));
  });
  const { progress } = job;
  const percent = progress.bytes_total > 0 ? Math.floor((100 * progress.bytes_done) / progress.bytes_total) : 0;
  return (
    <div className="import-progress" role="group" aria-label={label}>
      <p>{summary}</p>
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
      <ImportAlert text={job.error} />
      <ImportAlert text={error} />
      {job.state === 'succeeded' && job.version_id !== null && (
        <p>
          Imported: <ModelVersionLink projectId={projectId} versionId={job.version_id} />
        </p>
      )}
      {running && (
        <div className="toolbar">
          <button
            type="button"
            className="reject"
            onClick={() => {
              api.post<ImportJobNative>(paths.cancel, {}).then(onChange, (err: unknown) => setError(actionError(err, 'cancel imports')));
            }}
          >
            Cancel import
          </button>
        </div>
      )}
    </div>
  );
}

/** The dialog's last row: Close, and whatever comes before it. */
export function DialogButtons({ onClose, children }: { onClose: () => void; children?: ReactNode }) {
  return (
    <div className="toolbar">
      <span className="spacer" />
      <button type="button" onClick={onClose}>
        Close
      </button>
      {children}
    </div>
  );
}
