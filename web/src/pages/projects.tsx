import { useState } from 'react';
import { PageTitle } from '../page-title.ts';
import { api } from '../api.ts';
import { NewProjectForm } from '../components/new-project-form.tsx';
import { Empty, Show, useLoad } from '../components/states.tsx';
import type { ProjectNative } from '../../../src/projects/contract.ts';
import { Link } from '../router.tsx';
import { apiPaths } from '../api-paths.ts';

export function ProjectsPage() {
  const [state] = useLoad(['projects'], () => api.page<ProjectNative>(apiPaths.projects({ per_page: 100, order_by: 'path', sort: 'asc' })));
  const [creating, setCreating] = useState(false);
  return (
    <section>
      <PageTitle parts={['Projects']} />
      <div className="toolbar">
        <h1>Projects</h1>
        <span className="spacer" />
        {!creating && (
          <button className="primary" onClick={() => setCreating(true)}>
            New project
          </button>
        )}
      </div>
      {creating && <NewProjectForm onCancel={() => setCreating(false)} />}
      <Show state={state} what="Loading projects">
        {(page) =>
          page.items.length === 0 ? (
            <Empty>No projects yet: make one with New project.</Empty>
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
