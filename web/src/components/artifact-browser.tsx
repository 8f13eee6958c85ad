import { useEffect, useState } from 'react';
import { formatBytes } from '../format.ts';
import { api } from '../api.ts';
import { apiPaths } from '../api-paths.ts';
import { Empty, ErrorState, Loading } from './states.tsx';
import { FileIcon, FolderIcon } from './artifact-icons.tsx';
import { ImageGallery } from './image-gallery.tsx';
import { MlflowTableView } from './mlflow-table-view.tsx';
import { mlflowTableOf, type MlflowTable } from '../mlflow-table.ts';
import { imageSeriesOf } from '../mlflow-images.ts';

interface Entry {
  path: string;
  is_dir: boolean;
  file_size?: number;
}

const TEXT = /\.(txt|log|md|py|ya?ml|toml|cfg|ini)$|(^|\/)MLmodel$|(^|\/)MLproject$/i;
const IMAGE = /\.(png|jpe?g|gif|webp)$/i;
const HTML = /\.html?$/i;

type Preview = { kind: 'text' | 'json' | 'csv' | 'image' | 'html' | 'none'; content: string } | { kind: 'table'; content: MlflowTable };

/** A JSON file as MLflow's log_table writes it becomes a table; any other JSON is shown indented. */
function jsonPreview(text: string): Preview {
  try {
    const value: unknown = JSON.parse(text);
    const table = mlflowTableOf(value);
    return table ? { kind: 'table', content: table } : { kind: 'json', content: JSON.stringify(value, null, 2) };
  } catch {
    return { kind: 'text', content: text };
  }
}

function parseCsv(text: string): string[][] {
  return text
    .split(/\r?\n/)
    .filter((line) => line.length > 0)
    .slice(0, 200)
    .map((line) => line.split(','));
}

/** Browses a run's artifacts through the MLflow artifact API, and previews what a browser can show safely. */
export function ArtifactBrowser({ projectId, root, empty = 'No artifacts here.' }: { projectId: number; root: string; empty?: string }) {
  const project = apiPaths.project(projectId);
  const artifacts = project.mlflowArtifacts;
  const [dir, setDir] = useState('');
  const [entries, setEntries] = useState<Entry[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [file, setFile] = useState<string | null>(null);
  const [preview, setPreview] = useState<Preview | null>(null);
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
    else if (HTML.test(file)) setPreview({ kind: 'html', content: project.artifactPreview(`${root}/${file}`) });
    else if (TEXT.test(file) || /\.(json|csv)$/i.test(file)) {
      // Tables (log_table) can be larger than a text preview: read them whole, up to 5 MiB.
      const range = /\.json$/i.test(file) ? 'bytes=0-5242879' : 'bytes=0-262143';
      fetch(url, { headers: { range } })
        .then((r) => r.text())
        .then((text) => {
          if (/\.json$/i.test(file)) setPreview(jsonPreview(text));
          else setPreview({ kind: /\.csv$/i.test(file) ? 'csv' : 'text', content: text });
        }, setError);
    } else setPreview({ kind: 'none', content: '' });
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `artifacts` is rebuilt each render from projectId
  }, [projectId, root, file]);
  // A folder opens on its own contents (its image gallery, if it has one), not on a file elsewhere.
  const openDir = (next: string) => {
    setDir(next);
    setFile(null);
    setPreview(null);
  };
  if (error) return <ErrorState error={error} />;
  const parts = dir ? dir.split('/') : [];
  const series = entries ? imageSeriesOf(entries.filter((e) => !e.is_dir).map((e) => e.path)) : [];
  const fileUrl = (name: string) => artifacts.file(`${root}/${dir ? `${dir}/` : ''}${name}`);
  return (
    <div className="artifacts">
      <div className="artifact-list">
        <div className="crumbs">
          <button onClick={() => openDir('')}>artifacts</button>
          {parts.map((p, i) => (
            <span key={i}>
              {' / '}
              <button onClick={() => openDir(parts.slice(0, i + 1).join('/'))}>{p}</button>
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
                    <button className="link" onClick={() => openDir(full)}>
                      <FolderIcon /> {e.path}
                    </button>
                  ) : (
                    <button className={`link ${file === full ? 'active' : ''}`} onClick={() => setFile(full)}>
                      <FileIcon /> {e.path}{' '}
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
        {!file && series.length > 0 && <ImageGallery series={series} urlOf={fileUrl} />}
        {file && preview === null && <Loading what="Loading preview" />}
        {preview?.kind === 'image' && <img src={preview.content} alt={file ?? ''} />}
        {/* sandbox="" sets every restriction: no script, an opaque origin (the route's CSP says the same). */}
        {preview?.kind === 'html' && <iframe className="html-preview" sandbox="" src={preview.content} title={`Preview of ${file?.slice(file.lastIndexOf('/') + 1)}`} />}
        {preview?.kind === 'table' && <MlflowTableView table={preview.content} name={file?.slice(file.lastIndexOf('/') + 1) ?? ''} />}
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
