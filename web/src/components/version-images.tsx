import { useRef, useState } from 'react';
import { api } from '../api.ts';
import { apiPaths } from '../api-paths.ts';
import { formatAgo, formatBytes } from '../format.ts';
import { formatIso } from '../pipelines-model.ts';
import { Link } from '../router.tsx';
import type { VersionImageNative } from '../../../src/registry/contract.ts';
import { CopyButton, selectContents } from './copy-button.tsx';
import { Empty, Show, useLoad } from './states.tsx';

/**
 * What a pipeline file needs to build and record a version's image whenever one is registered:
 * the bundled Modelyard/Image template (src/pipelines/templates/image.yml) and its base image.
 */
export const IMAGE_PIPELINE = `stages:
  - image
include:
  - template: Modelyard/Image.gitlab-ci.yml
variables:
  # A Debian 12 image with python3 and python3-venv, in the runner host's podman storage
  IMAGE_BASE: localhost/modelyard-model-base:latest
`;

/** sha256: and the first 12 hex digits, as image tools print an id. */
const shortDigest = (digest: string) => digest.replace(/^(sha256:[0-9a-f]{12})[0-9a-f]+$/, '$1');

/** A digest shortened, the whole of it in the title and copied by the button (or shown selected where the clipboard is refused). */
function Digest({ digest }: { digest: string }) {
  const [whole, setWhole] = useState(false);
  return (
    <span className="image-digest">
      {whole ? (
        <input readOnly aria-label="Digest" className="digest" value={digest} size={digest.length} autoFocus onFocus={(e) => e.currentTarget.select()} />
      ) : (
        <code title={digest}>{shortDigest(digest)}</code>
      )}{' '}
      <CopyButton text={digest} label={`Copy digest ${digest}`} byHand={() => setWhole(true)} />
    </span>
  );
}

/** Where the build context is, how a pipeline builds it, and the images recorded on the version, newest build first. */
export function VersionImages({ projectId, modelId, version }: { projectId: number; modelId: number; version: number }) {
  const paths = apiPaths.project(projectId).model(modelId).version(version);
  const [state] = useLoad(['version-images', projectId, modelId, version], () => api.get<VersionImageNative[]>(paths.images));
  const template = useRef<HTMLPreElement>(null);
  return (
    <div className="version-images">
      <p>
        <a href={paths.imageContext} download>
          Download the build context
        </a>{' '}
        <span className="muted">(tar.gz: a Containerfile, requirements.txt, an empty wheels/ and the version’s files under model/; it builds without network access)</span>
      </p>
      <h3>Building it in a pipeline</h3>
      <p>
        With this in the project’s pipeline file and registry triggers on (CI settings), each new version’s image is built with podman and recorded here. Set <code>IMAGE_BASE</code> to a base image on
        the runner’s host.
      </p>
      <pre className="code image-pipeline" ref={template} tabIndex={0}>
        {IMAGE_PIPELINE}
      </pre>
      <div className="toolbar">
        <CopyButton text={IMAGE_PIPELINE} label="Copy the pipeline file" byHand={() => selectContents(template.current)} />
      </div>
      <Show state={state} what="Loading images">
        {(images) =>
          images.length === 0 ? (
            <Empty>No image built of this version yet.</Empty>
          ) : (
            <table className="grid version-images-table" data-testid="version-images">
              <caption className="visually-hidden">Images of this version, newest build first</caption>
              <thead>
                <tr>
                  <th>Reference</th>
                  <th>Digest</th>
                  <th>Size</th>
                  <th>Base</th>
                  <th>Built</th>
                  <th>Job</th>
                </tr>
              </thead>
              <tbody>
                {images.map((image) => (
                  <tr key={image.id}>
                    <td>
                      <code>{image.reference}</code>
                      {image.tags.map((tag) => (
                        <span key={tag} className="label">
                          {tag}
                        </span>
                      ))}
                    </td>
                    <td>
                      <Digest digest={image.digest} />
                    </td>
                    <td className="nowrap" title={`${image.size.toLocaleString()} bytes`}>
                      {formatBytes(image.size)}
                    </td>
                    <td>
                      <code>{image.base}</code>
                    </td>
                    <td className="nowrap">
                      <time dateTime={image.built_at} title={formatIso(image.built_at)}>
                        {formatAgo(image.built_at)}
                      </time>
                    </td>
                    <td>{image.job_id === null ? <span className="muted">by hand</span> : <Link to={`/projects/${projectId}/jobs/${image.job_id}`}>job #{image.job_id}</Link>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Show>
    </div>
  );
}
