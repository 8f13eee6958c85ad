import { Fragment, useRef, useState } from 'react';
import { api } from '../api.ts';
import { apiPaths } from '../api-paths.ts';
import { actionError, formatIso } from '../pipelines-model.ts';
import type { CreateVertexImportBody, ImportJobNative, ListVertexModelsBody, VertexModelNative } from '../../../src/imports/contract.ts';
import { DialogButtons, ImportAlert, ImportDialog, ImportJobProgress, importEnded } from './import-progress.tsx';

/**
 * "Import from Vertex AI": the Google Cloud project, location and a service account's JSON key
 * (a file read here, or pasted), optionally private endpoints; the location's models listed, one
 * picked and its versions listed; the chosen versions imported into a registry model, one job
 * each, followed until they end. The key lives in this dialog's state only: it is sent with each
 * request, never shown back, never put in the address or the browser's storage, and dropped when
 * the import starts or the dialog closes.
 */
export function VertexImportDialog({ projectId, open, onClose }: { projectId: number; open: boolean; onClose: () => void }) {
  return (
    <ImportDialog id="vertex-import" title="Import from Vertex AI" open={open} onClose={onClose}>
      <VertexImport projectId={projectId} onClose={onClose} />
    </ImportDialog>
  );
}

function VertexImport({ projectId, onClose }: { projectId: number; onClose: () => void }) {
  const [jobs, setJobs] = useState<ImportJobNative[] | null>(null);
  if (jobs === null) return <VertexImportForm projectId={projectId} onStarted={setJobs} onClose={onClose} />;
  const ended = jobs.filter(importEnded).length;
  return (
    <>
      <p role="status">
        {ended} of {jobs.length} {jobs.length === 1 ? 'import' : 'imports'} ended
      </p>
      {jobs.map((job) => {
        const name = String(job.source.display_name || job.source.resource);
        return (
          <ImportJobProgress
            key={job.id}
            projectId={projectId}
            job={job}
            onChange={(next) => setJobs((list) => list && list.map((j) => (j.id === next.id ? next : j)))}
            label={`Import of ${name} version ${String(job.source.version_id)}`}
            summary={
              <>
                <strong>{name}</strong> version <code>{String(job.source.version_id)}</code> into <strong>{job.model_name}</strong>
              </>
            }
          />
        );
      })}
      <DialogButtons onClose={onClose} />
    </>
  );
}

/** "Version 2", its aliases and when it was made. */
function VersionChoice({ version, checked, onChange }: { version: VertexModelNative; checked: boolean; onChange: (checked: boolean) => void }) {
  const importable = version.artifact_uri !== '';
  return (
    <label className="choice">
      <input type="checkbox" checked={checked} disabled={!importable} onChange={(e) => onChange(e.target.checked)} />
      <span>
        Version {version.version_id}
        {version.version_aliases.map((alias) => (
          <Fragment key={alias}>
            {' '}
            <span className="badge">{alias}</span>
          </Fragment>
        ))}{' '}
        <span className="muted">
          created{' '}
          <time dateTime={version.version_create_time} title={version.version_create_time}>
            {formatIso(version.version_create_time) || 'at an unknown time'}
          </time>
          {!importable && ' · no Cloud Storage artifacts to import'}
        </span>
      </span>
    </label>
  );
}

function VertexImportForm({ projectId, onStarted, onClose }: { projectId: number; onStarted: (jobs: ImportJobNative[]) => void; onClose: () => void }) {
  const paths = apiPaths.project(projectId);
  const [googleProject, setGoogleProject] = useState('');
  const [location, setLocation] = useState('');
  const [pastedKey, setPastedKey] = useState('');
  const [keyFile, setKeyFile] = useState<{ name: string; text: string } | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const [aiplatformUrl, setAiplatformUrl] = useState('');
  const [storageUrl, setStorageUrl] = useState('');
  const [models, setModels] = useState<VertexModelNative[] | null>(null);
  const [chosen, setChosen] = useState<VertexModelNative | null>(null);
  const [versions, setVersions] = useState<VertexModelNative[] | null>(null);
  const [picked, setPicked] = useState<readonly string[]>([]);
  const [model, setModel] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  // Bumped whenever what was asked changes: an answer to an earlier question is dropped.
  const asked = useRef(0);

  const key = keyFile?.text ?? pastedKey;
  const connection = (): ListVertexModelsBody => ({ google_project: googleProject.trim(), location: location.trim(), key, aiplatform_url: aiplatformUrl.trim() || undefined });
  /** What was listed no longer holds once the project, location, key or endpoint changes. */
  const forgetListing = () => {
    asked.current += 1;
    setBusy(null);
    setModels(null);
    setChosen(null);
    setVersions(null);
    setPicked([]);
  };
  const changed = (set: (value: string) => void) => (e: { target: { value: string } }) => {
    set(e.target.value);
    forgetListing();
  };
  /** Asks the server (`what` shown meanwhile); its refusal, 400 or 422, is the dialog's alert. */
  const ask = async <T,>(what: string, request: () => Promise<T>, keep: (answer: T) => void) => {
    const question = asked.current;
    setBusy(what);
    setError(null);
    try {
      const answer = await request();
      if (asked.current === question) keep(answer);
    } catch (err) {
      if (asked.current === question) setError(actionError(err, 'import models'));
    } finally {
      if (asked.current === question) setBusy(null);
    }
  };

  const listModels = () => {
    forgetListing();
    if (key.trim() === '') return setError('Choose the service account key file, or paste the key.');
    void ask('Listing models…', () => api.post<VertexModelNative[]>(paths.vertexModels, connection()), setModels);
  };

  const pick = (m: VertexModelNative) => {
    asked.current += 1;
    setChosen(m);
    setModel(m.display_name);
    setVersions(null);
    setPicked([]);
    void ask('Listing versions…', () => api.post<VertexModelNative[]>(paths.vertexModels, { ...connection(), vertex_model: m.vertex_model }), setVersions);
  };

  const startImport = (from: VertexModelNative, listed: VertexModelNative[]) => {
    const body: CreateVertexImportBody = {
      ...connection(),
      vertex_model: from.vertex_model,
      // In the listing's order, whatever order they were ticked in.
      versions: listed.filter((v) => picked.includes(v.version_id)).map((v) => v.version_id),
      model: model.trim() || from.display_name,
      storage_url: storageUrl.trim() || undefined,
    };
    void ask('Starting the import…', () => api.post<ImportJobNative[]>(paths.vertexImport, body), onStarted);
  };

  return (
    <>
      <form
        aria-label="Vertex AI connection"
        onSubmit={(e) => {
          e.preventDefault();
          listModels();
        }}
      >
        <label>
          Google Cloud project <input aria-label="Google Cloud project" placeholder="my-project or its number" value={googleProject} onChange={changed(setGoogleProject)} required autoFocus />
        </label>
        <label>
          Location <input aria-label="Location" placeholder="us-central1" value={location} onChange={changed(setLocation)} required />
        </label>
        <label>
          Service account key file (JSON){' '}
          <input
            ref={fileInput}
            aria-label="Service account key file"
            type="file"
            accept="application/json"
            onChange={async (e) => {
              const file = e.target.files?.[0];
              forgetListing();
              setKeyFile(file ? { name: file.name, text: await file.text() } : null);
            }}
          />
        </label>
        {keyFile ? (
          <p>
            Using the key in <code>{keyFile.name}</code>.{' '}
            <button
              type="button"
              className="link"
              onClick={() => {
                if (fileInput.current) fileInput.current.value = '';
                forgetListing();
                setKeyFile(null);
              }}
            >
              Paste a key instead
            </button>
          </p>
        ) : (
          <label>
            Or paste the key{' '}
            <textarea aria-label="Service account key" rows={3} autoComplete="off" spellCheck={false} placeholder='{"type": "service_account", …}' value={pastedKey} onChange={changed(setPastedKey)} />
          </label>
        )}
        <p className="muted">The key needs the Vertex AI viewer and Storage object viewer roles. It is sent to this server with each request and never shown again.</p>
        <details>
          <summary>Advanced: private endpoints</summary>
          <label>
            Vertex AI endpoint <input aria-label="Vertex AI endpoint" type="url" placeholder="https://LOCATION-aiplatform.googleapis.com" value={aiplatformUrl} onChange={changed(setAiplatformUrl)} />
          </label>
          <label>
            Cloud Storage endpoint{' '}
            <input aria-label="Cloud Storage endpoint" type="url" placeholder="https://storage.googleapis.com" value={storageUrl} onChange={(e) => setStorageUrl(e.target.value)} />
          </label>
        </details>
        <div className="toolbar">
          <button type="submit" disabled={busy !== null}>
            List models
          </button>
        </div>
      </form>
      {models !== null &&
        (models.length === 0 ? (
          <p className="muted">No model in {location.trim()} that this key’s account may read.</p>
        ) : (
          <fieldset>
            <legend>Models in {location.trim()}</legend>
            {models.map((m) => (
              <label key={m.vertex_model} className="choice">
                <input type="radio" name="vertex-model" checked={chosen?.vertex_model === m.vertex_model} onChange={() => pick(m)} />
                <span>
                  {m.display_name || m.vertex_model} <span className="muted">({m.vertex_model})</span>
                  {m.description && <span className="muted"> · {m.description}</span>}
                </span>
              </label>
            ))}
          </fieldset>
        ))}
      {chosen !== null && versions !== null && (
        <form
          aria-label="Versions to import"
          onSubmit={(e) => {
            e.preventDefault();
            startImport(chosen, versions);
          }}
        >
          <fieldset>
            <legend>Versions of {chosen.display_name || chosen.vertex_model}</legend>
            {versions.map((v) => (
              <VersionChoice
                key={v.version_id}
                version={v}
                checked={picked.includes(v.version_id)}
                onChange={(on) => setPicked((list) => (on ? [...list, v.version_id] : list.filter((id) => id !== v.version_id)))}
              />
            ))}
          </fieldset>
          <label>
            Into the registry model <input aria-label="Registry model name" value={model} placeholder={chosen.display_name} onChange={(e) => setModel(e.target.value)} required />
          </label>
          <DialogButtons onClose={onClose}>
            <button type="submit" className="primary" disabled={busy !== null || picked.length === 0}>
              Import {picked.length === 1 ? '1 version' : `${picked.length} versions`}
            </button>
          </DialogButtons>
        </form>
      )}
      {busy && <p role="status">{busy}</p>}
      <ImportAlert text={error} />
      {(chosen === null || versions === null) && <DialogButtons onClose={onClose} />}
    </>
  );
}
