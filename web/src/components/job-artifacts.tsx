import { useEffect, useState } from 'react';
import { plural } from '../format.ts';
import { api } from '../api.ts';
import { archiveUrl, formatBytes, formatIso, type Job } from '../pipelines-model.ts';
import { ArtifactFolders, type ArchiveEntry } from './artifact-folders.tsx';
import { apiPaths } from '../api-paths.ts';

/**
 * A job's artifacts: the archive its runner uploaded (download it whole, or one file out of it)
 * and what the server read out of its reports: JUnit test counts and failures, dotenv variables.
 */
export function JobArtifacts({ projectId, job }: { projectId: number; job: Job }) {
  const [files, setFiles] = useState<ArchiveEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const hasArchive = job.artifacts_file !== null;
  useEffect(() => {
    if (!hasArchive) return;
    api.get<ArchiveEntry[]>(apiPaths.project(projectId).job(job.id).artifactFiles).then(setFiles, (e: Error) => setError(e.message));
  }, [projectId, job.id, hasArchive]);
  const junit = job.reports?.junit;
  const dotenv = job.reports?.dotenv;
  return (
    <>
      <h2>Artifacts</h2>
      {!job.artifacts_file ? (
        <p className="muted">No artifacts.</p>
      ) : (
        <>
          <p>
            <a href={archiveUrl(projectId, job.id)} download data-testid="job-archive">
              {job.artifacts_file.filename}
            </a>{' '}
            <span className="muted">
              {formatBytes(job.artifacts_file.size)}
              {job.artifacts_expire_at && ` · expires ${formatIso(job.artifacts_expire_at)}`}
            </span>
          </p>
          {error && <p className="error">{error}</p>}
          {files && <ArtifactFolders projectId={projectId} jobId={job.id} entries={files} />}
        </>
      )}
      {junit && (
        <div data-testid="job-tests">
          <h2>Tests</h2>
          {junit.unread ? (
            <p className="muted">The JUnit report was not read: {junit.unread}.</p>
          ) : (
            <p>
              {plural(junit.total, 'test')}: {junit.success} passed, <strong>{junit.failed} failed</strong>, {plural(junit.error, 'error')}, {junit.skipped} skipped{' '}
              <span className="muted">({junit.time} s)</span>
            </p>
          )}
          {junit.failures.length > 0 && (
            <ul className="test-failures">
              {junit.failures.map((f, i) => (
                <li key={i}>
                  <code>
                    {f.classname ? `${f.classname}.` : ''}
                    {f.name}
                  </code>{' '}
                  <span className="muted">{f.status}</span>
                  {f.message && <div className="muted">{f.message}</div>}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {dotenv && (
        <div data-testid="job-dotenv">
          <h2>Variables for later jobs (dotenv)</h2>
          <ul>
            {Object.keys(dotenv.variables).map((key) => (
              <li key={key}>
                <code>{key}</code>
              </li>
            ))}
          </ul>
        </div>
      )}
    </>
  );
}
