import { useMemo, useState } from 'react';
import { artifactUrl, formatBytes } from '../pipelines-model.ts';

export interface ArchiveEntry {
  path: string;
  size: number;
}

interface Listing {
  folders: { name: string; files: number; size: number }[];
  files: (ArchiveEntry & { name: string })[];
}

/** What one folder of the archive holds: its subfolders (with how much is under each) and its files. */
export function listFolder(entries: ArchiveEntry[], folder: string): Listing {
  const prefix = folder === '' ? '' : `${folder}/`;
  const folders = new Map<string, { files: number; size: number }>();
  const files: Listing['files'] = [];
  for (const entry of entries) {
    if (!entry.path.startsWith(prefix)) continue;
    const rest = entry.path.slice(prefix.length);
    const slash = rest.indexOf('/');
    if (slash === -1) files.push({ ...entry, name: rest });
    else {
      const name = rest.slice(0, slash);
      const seen = folders.get(name) ?? { files: 0, size: 0 };
      folders.set(name, { files: seen.files + 1, size: seen.size + entry.size });
    }
  }
  return {
    folders: [...folders].map(([name, totals]) => ({ name, ...totals })).sort((a, b) => a.name.localeCompare(b.name)),
    files: files.sort((a, b) => a.name.localeCompare(b.name)),
  };
}

/**
 * A job's artifacts archive as folders, as GitLab's artifacts browser shows it: one folder at a
 * time (an archive of thousands of files stays quick to read), a breadcrumb back up, and each
 * file a download link to GitLab's `GET …/jobs/:job_id/artifacts/*path`.
 */
export function ArtifactFolders({ projectId, jobId, entries }: { projectId: number; jobId: number; entries: ArchiveEntry[] }) {
  const [folder, setFolder] = useState('');
  const listing = useMemo(() => listFolder(entries, folder), [entries, folder]);
  const crumbs = folder === '' ? [] : folder.split('/');
  return (
    <div className="artifact-browser" data-testid="job-artifacts">
      <nav aria-label="Folder" className="breadcrumbs">
        <button className="link" onClick={() => setFolder('')} aria-current={folder === '' ? 'location' : undefined}>
          artifacts
        </button>
        {crumbs.map((name, i) => (
          <span key={i}>
            {' / '}
            <button className="link" onClick={() => setFolder(crumbs.slice(0, i + 1).join('/'))} aria-current={i === crumbs.length - 1 ? 'location' : undefined}>
              {name}
            </button>
          </span>
        ))}
      </nav>
      <ul className="artifact-files" aria-label={`Files in ${folder === '' ? 'the archive' : folder}`}>
        {listing.folders.map((f) => (
          <li key={`d:${f.name}`}>
            <button className="link folder" onClick={() => setFolder(folder === '' ? f.name : `${folder}/${f.name}`)}>
              {f.name}/
            </button>{' '}
            <span className="muted">
              {f.files} file{f.files === 1 ? '' : 's'}, {formatBytes(f.size)}
            </span>
          </li>
        ))}
        {listing.files.map((f) => (
          <li key={`f:${f.name}`}>
            <a href={artifactUrl(projectId, jobId, f.path)} download>
              {f.name}
            </a>{' '}
            <span className="muted">{formatBytes(f.size)}</span>
          </li>
        ))}
        {listing.folders.length === 0 && listing.files.length === 0 && <li className="muted">This archive holds no files.</li>}
      </ul>
    </div>
  );
}
