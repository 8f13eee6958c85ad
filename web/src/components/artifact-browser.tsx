import { useEffect, useState } from 'react';
import { formatBytes } from '../format.ts';
import { api } from '../api.ts';
import { apiPaths } from '../api-paths.ts';
import { Empty, ErrorState, Loading } from './states.tsx';

interface Entry {
  path: string;
  is_dir: boolean;
  file_size?: number;
}

const TEXT = /\.(txt|log|md|py|ya?ml|toml|cfg|ini)$|(^|\/)MLmodel$|(^|\/)MLproject$/i;
const IMAGE = /\.(png|jpe?g|gif|webp)$/i;

function parseCsv(text: string): string[][] {
  return text
    .split(/\r?\n/)
    .filter((line) => line.length > 0)
    .slice(0, 200)
    .map((line) => line.split(','));
}

/** Browses a run's artifacts through the MLflow artifact API, and previews what a browser can show safely. */
export function ArtifactBrowser({ projectId, root, empty = 'No artifacts here.' }: { projectId: number; root: string; empty?: string }) {
  const artifacts = apiPaths.project(projectId).mlflowArtifacts;
  const [dir, setDir] = useState('');
  const [entries, setEntries] = useState<Entry[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [file, setFile] = useState<string | null>(null);
  const [preview, setPreview] = useState<{ kind: 'text' | 'json' | 'csv' | 'image' | 'none'; content: string } | null>(null);
  useEffect(() => {
    setEntries(null);
    api.get<{ files?: Entry[] }>(artifacts.list(dir ? `${root}/${dir}` : root)).then((r) => setEntries(r.files ?? []), setError);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `artifacts` is rebuilt each render from projectId
  }, [projectId, root, dir]);
  useEffect(() => {
    if (!file) return;
    const url = artifacts.file(`${root}/${file}`);
    setPreview(null);
    if (IMAGE.test(file)) setPreview({ kind: 'image', content: url });
    else if (TEXT.test(file) || /\.(json|csv)$/i.test(file)) {
      fetch(url, { headers: { range: 'bytes=0-262143' } })
        .then((r) => r.text())
        .then((text) => {
          if (/\.json$/i.test(file)) {
            try {
              setPreview({ kind: 'json', content: JSON.stringify(JSON.parse(text), null, 2) });
            } catch {
              setPreview({ kind: 'text', content: text });
            }
          } else setPreview({ kind: /\.csv$/i.test(file) ? 'csv' : 'text', content: text });
        }, setError);
    } else setPreview({ kind: 'none', content: '' });
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `artifacts` is rebuilt each render from projectId
  }, [projectId, root, file]);
  if (error) return <ErrorState error={error} />;
  const parts = dir ? dir.split('/') : [];
  return (
    <div className="artifacts">
      <div className="artifact-list">
        <div className="crumbs">
          <button onClick={() => setDir('')}>artifacts</button>
          {parts.map((p, i) => (
            <span key={i}>
              {' / '}
              <button onClick={() => setDir(parts.slice(0, i + 1).join('/'))}>{p}</button>
            </span>
          ))}
        </div>
        {entries === null ? (
          <Loading what="Listing artifacts" />
        ) : entries.length === 0 ? (
          <Empty>{empty}</Empty>
        ) : (
          <ul>
            {entries.map((e) => {
              const full = dir ? `${dir}/${e.path}` : e.path;
              return (
                <li key={e.path}>
                  {e.is_dir ? (
                    <button className="link" onClick={() => setDir(full)}>
                      📁 {e.path}
                    </button>
                  ) : (
                    <button className={`link ${file === full ? 'active' : ''}`} onClick={() => setFile(full)}>
                      📄 {e.path}{' '}
                      {e.file_size !== undefined && (
                        <span className="muted" title={`${e.file_size} bytes`}>
                          {formatBytes(e.file_size)}
                        </span>
                      )}
                    </button>
                  )}
                </li>
              );
            })}
          </ul>
        )}
      </div>
      <div className="artifact-preview" data-testid="artifact-preview">
        {file && (
          <p>
            <strong>{file}</strong>{' '}
            <a href={artifacts.file(`${root}/${file}`)} download>
              Download
            </a>
          </p>
        )}
        {file && preview === null && <Loading what="Loading preview" />}
        {preview?.kind === 'image' && <img src={preview.content} alt={file ?? ''} />}
        {(preview?.kind === 'text' || preview?.kind === 'json') && <pre className="code">{preview.content}</pre>}
        {preview?.kind === 'csv' && (
          <table className="grid">
            <tbody>
              {parseCsv(preview.content).map((row, i) => (
                <tr key={i}>{row.map((cell, j) => (i === 0 ? <th key={j}>{cell}</th> : <td key={j}>{cell}</td>))}</tr>
              ))}
            </tbody>
          </table>
        )}
        {preview?.kind === 'none' && <p className="muted">No preview for this kind of file.</p>}
      </div>
    </div>
  );
}
