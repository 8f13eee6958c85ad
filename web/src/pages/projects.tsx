import { PageTitle } from '../page-title.ts';
import { api } from '../api.ts';
import { Empty, Show, useLoad } from '../components/states.tsx';
import type { ProjectNative } from '../../../src/projects/contract.ts';
import { Link } from '../router.tsx';
import { apiPaths } from '../api-paths.ts';

export function ProjectsPage() {
  const [state] = useLoad(['projects'], () => api.page<ProjectNative>(apiPaths.projects({ per_page: 100, order_by: 'path', sort: 'asc' })));
  return (
    <section>
      <PageTitle parts={['Projects']} />
      <h1>Projects</h1>
      <Show state={state} what="Loading projects">
        {(page) =>
          page.items.length === 0 ? (
            <Empty>No projects yet.</Empty>
          ) : (
            <ul className="cards">
              {page.items.map((p) => (
                <li key={p.id}>
                  <Link to={`/projects/${p.id}`}>
                    <strong>{p.name}</strong>
                  </Link>
                  <span className="muted"> {p.visibility}</span>
                  <p>{p.description}</p>
                </li>
              ))}
            </ul>
          )
        }
      </Show>
    </section>
  );
}
