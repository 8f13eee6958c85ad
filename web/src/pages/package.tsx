import { useState } from 'react';
import { formatBytes, plural } from '../format.ts';
import { PageTitle } from '../page-title.ts';
import { api, formatTime } from '../api.ts';
import { ConfirmDialog, type ConfirmRequest } from '../components/confirm-dialog.tsx';
import { Pager } from '../components/pager.tsx';
import { ProjectNav } from '../components/project-nav.tsx';
import { Show, useLoad } from '../components/states.tsx';
import { loadProject, powersOf, type Project } from '../project.ts';
import { Link, navigate, useLocation } from '../router.tsx';
import { apiPaths } from '../api-paths.ts';
import type { PackageFileNative, PackageNative } from '../../../src/packages/contract.ts';
import type { ModelNative, VersionNative } from '../../../src/registry/contract.ts';

const PER_PAGE = 100;

/**
 * Where an ml_model package's files are looked at: its model version's page (the package is
 * named after the model, versioned by the version's semver). Null when the model is gone.
 */
async function versionPageOf(project: Project, pkg: PackageNative): Promise<string | null> {
  const paths = apiPaths.project(project.id);
  const models = await api.page<ModelNative>(paths.models({ per_page: 100, search: pkg.name }));
  const model = models.items.find((m) => m.name === pkg.name);
  if (!model) return null;
  const versions = await api.page<VersionNative>(paths.model(model.id).versions({ per_page: 100 }));
  const version = versions.items.find((v) => v.semver === pkg.version);
  return version ? `/projects/${project.id}/models/${model.id}/versions/${version.version}` : `/projects/${project.id}/models/${model.id}`;
}

/** One package: its files with sizes and SHA-256 digests, their downloads, and deleting it. */
export function PackagePage({ projectId, packageId }: { projectId: string; packageId: string }) {
  const { path, query } = useLocation();
  const page = Math.max(1, Number(query.get('page')) || 1);
  const [confirming, setConfirming] = useState<ConfirmRequest | null>(null);
  const [state] = useLoad(['package', projectId, packageId, page], async () => {
    const project = await loadProject(projectId);
    const paths = apiPaths.project(project.id);
    const pkg = await api.get<PackageNative>(paths.package(packageId));
    const files = await api.page<PackageFileNative>(paths.packageFiles(pkg.id, { per_page: PER_PAGE, page }));
    const versionPage = pkg.package_type === 'ml_model' ? await versionPageOf(project, pkg) : null;
    return { project, pkg, files, versionPage };
  });
  return (
    <Show
      state={state}
      what="Loading the package"
      missing={{ title: 'Package not found', message: 'This package does not exist, or you cannot see it.', back: { to: `/projects/${projectId}/packages`, label: 'Back to the packages' } }}
    >
      {({ project, pkg, files, versionPage }) => {
        const paths = apiPaths.project(project.id);
        const downloadOf = (file: PackageFileNative) => (pkg.package_type === 'generic' ? paths.genericFile(pkg.name, pkg.version, file.file_name) : null);
        const canDelete = pkg.package_type === 'generic' && powersOf(project).canWrite;
        const total = files.items.reduce((sum, f) => sum + f.size, 0);
        return (
          <section>
            <PageTitle parts={[`${pkg.name} ${pkg.version}`, 'Packages', project.name]} />
            <ProjectNav project={project} />
            <p className="breadcrumbs">
              <Link to={`/projects/${project.id}/packages`}>Packages</Link> / {pkg.name}
            </p>
            <h1>
              {pkg.name} <span className="muted">{pkg.version}</span>
            </h1>
            <dl className="facts">
              <dt>Type</dt>
              <dd>{pkg.package_type}</dd>
              <dt>Created</dt>
              <dd>{formatTime(Date.parse(pkg.created_at))}</dd>
              <dt>Status</dt>
              <dd>{pkg.status}</dd>
            </dl>
            {versionPage && (
              <p>
                These are the files of a model version: <Link to={versionPage}>open the version of {pkg.name}</Link>.
              </p>
            )}
            {canDelete && (
              <div className="toolbar">
                <button
                  type="button"
                  className="reject"
                  onClick={() =>
                    setConfirming({
                      title: `Delete ${pkg.name} ${pkg.version}?`,
                      body: <p>{`Its ${plural(files.total, 'file')} are deleted with it. Pipelines or scripts that download it will get 404.`}</p>,
                      confirmLabel: 'Delete package',
                      danger: true,
                      run: () => api.del(paths.package(pkg.id)),
                    })
                  }
                >
                  Delete package
                </button>
              </div>
            )}
            <h2>Files</h2>
            <table className="grid" data-testid="package-files">
              <thead>
                <tr>
                  <th>File</th>
                  <th>Size</th>
                  <th>SHA-256</th>
                  <th>Created</th>
                </tr>
              </thead>
              <tbody>
                {files.items.map((f) => {
                  const href = downloadOf(f);
                  return (
                    <tr key={f.id}>
                      <td>
                        {href ? (
                          <a href={href} download={f.file_name.split('/').pop()}>
                            {f.file_name}
                          </a>
                        ) : (
                          f.file_name
                        )}
                      </td>
                      <td className="number" title={`${f.size} bytes`}>
                        {formatBytes(f.size)}
                      </td>
                      <td>
                        <code className="digest">{f.file_sha256}</code>
                      </td>
                      <td>{formatTime(Date.parse(f.created_at))}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            <p className="muted">
              {plural(files.total, 'file')}
              {files.total <= PER_PAGE ? `, ${formatBytes(total)}` : ''}
            </p>
            <Pager page={page} perPage={PER_PAGE} total={files.total} onPage={(p) => navigate(`${path}${p > 1 ? `?page=${p}` : ''}`)} />
            {pkg.package_type === 'generic' && files.items[0] && (
              <>
                <h2>Download with curl</h2>
                <pre className="code">{`curl --fail --header "PRIVATE-TOKEN: $MODELYARD_TOKEN" --output ${files.items[0].file_name} \\\n  ${window.location.origin}${paths.genericFile(pkg.name, pkg.version, files.items[0].file_name)}`}</pre>
              </>
            )}
            <ConfirmDialog
              request={confirming}
              onClose={() => setConfirming(null)}
              onDone={() => {
                setConfirming(null);
                navigate(`/projects/${project.id}/packages`);
              }}
            />
          </section>
        );
      }}
    </Show>
  );
}
