import { plural } from '../format.ts';
import { PageTitle } from '../page-title.ts';
import { api, formatTime } from '../api.ts';
import { Pager } from '../components/pager.tsx';
import { ProjectNav } from '../components/project-nav.tsx';
import { Empty, Show, useLoad } from '../components/states.tsx';
import { loadProject } from '../project.ts';
import { Link, navigate, useLocation } from '../router.tsx';
import { apiPaths } from '../api-paths.ts';
import type { PackageNative } from '../../../src/packages/contract.ts';

const PER_PAGE = 20;
const TYPES = ['generic', 'ml_model'] as const;

/** A project's packages: generic packages and the ml_model packages that hold versions' files. The filter, search and page live in the URL. */
export function PackagesPage({ projectId }: { projectId: string }) {
  const { path, query } = useLocation();
  const type = TYPES.find((t) => t === query.get('type')) ?? '';
  const name = query.get('name') ?? '';
  const page = Math.max(1, Number(query.get('page')) || 1);
  const [state] = useLoad(['packages', projectId, type, name, page], async () => {
    const project = await loadProject(projectId);
    const packages = await api.page<PackageNative>(apiPaths.project(project.id).packages({ per_page: PER_PAGE, page, package_type: type || undefined, package_name: name || undefined }));
    return { project, packages };
  });
  const go = (next: { type?: string; name?: string; page?: number }) => {
    const params = new URLSearchParams();
    const t = next.type ?? type;
    const n = next.name ?? name;
    if (t) params.set('type', t);
    if (n) params.set('name', n);
    if ((next.page ?? 1) > 1) params.set('page', String(next.page));
    const search = params.toString();
    navigate(`${path}${search ? `?${search}` : ''}`);
  };
  return (
    <Show state={state} what="Loading packages">
      {({ project, packages }) => (
        <section>
          <PageTitle parts={['Packages', project.name]} />
          <ProjectNav project={project} />
          <h1>Packages</h1>
          <div className="toolbar">
            <label>
              Type{' '}
              <select aria-label="Filter by type" value={type} onChange={(e) => go({ type: e.target.value, page: 1 })}>
                <option value="">all</option>
                {TYPES.map((t) => (
                  <option key={t}>{t}</option>
                ))}
              </select>
            </label>
            <input
              key={name}
              className="search"
              aria-label="Search packages by name"
              placeholder="Search packages by name"
              defaultValue={name}
              onKeyDown={(e) => e.key === 'Enter' && go({ name: e.currentTarget.value.trim(), page: 1 })}
            />
          </div>
          {packages.items.length === 0 ? (
            <Empty>{type || name ? 'No package matches.' : 'No packages yet. Upload one with curl, the CLI or a pipeline job: see the packages guide.'}</Empty>
          ) : (
            <table className="grid" data-testid="packages">
              <thead>
                <tr>
                  <th>Package</th>
                  <th>Version</th>
                  <th>Type</th>
                  <th>Created</th>
                </tr>
              </thead>
              <tbody>
                {packages.items.map((p) => (
                  <tr key={p.id}>
                    <td>
                      <Link to={`/projects/${project.id}/packages/${p.id}`}>{p.name}</Link>
                      {p.status === 'hidden' && <span className="label">hidden</span>}
                    </td>
                    <td>{p.version}</td>
                    <td>{p.package_type}</td>
                    <td>{formatTime(Date.parse(p.created_at))}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <p className="muted">{plural(packages.total, 'package')}</p>
          <Pager page={page} perPage={PER_PAGE} total={packages.total} onPage={(p) => go({ page: p })} />
        </section>
      )}
    </Show>
  );
}
