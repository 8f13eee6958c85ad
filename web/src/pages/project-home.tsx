import { api, formatTime } from '../api.ts';
import { PageTitle } from '../page-title.ts';
import { ProjectNav } from '../components/project-nav.tsx';
import { Empty, Show, useLoad } from '../components/states.tsx';
import { loadProject } from '../project.ts';
import { Link } from '../router.tsx';
import type { ExperimentNative } from '../../../src/tracking/contract.ts';
import { apiPaths } from '../api-paths.ts';

export function ProjectHomePage({ projectId }: { projectId: string }) {
  const [state] = useLoad(['project-home', projectId], async () => {
    const project = await loadProject(projectId);
    const experiments = await api.page<ExperimentNative>(apiPaths.project(project.id).experiments({ per_page: 100 }));
    return { project, experiments };
  });
  return (
    <Show
      state={state}
      what="Loading the project"
      missing={{ title: 'Project not found', message: `There is no project ${projectId}, or you may not see it.`, back: { to: '/', label: 'Back to the projects' } }}
    >
      {({ project, experiments }) => (
        <section>
          <PageTitle parts={[project.name]} />
          <ProjectNav project={project} />
          <p>{project.description}</p>
          <h2>Experiments</h2>
          {experiments.items.length === 0 ? (
            <Empty>No experiments yet. Point the MLflow client at this project to start one.</Empty>
          ) : (
            <table className="grid">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Created</th>
                  <th>Last update</th>
                </tr>
              </thead>
              <tbody>
                {experiments.items.map((e) => (
                  <tr key={e.id}>
                    <td>
                      <Link to={`/projects/${project.id}/experiments/${e.id}`}>{e.name}</Link>
                      {e.is_default && <span className="badge">default</span>}
                    </td>
                    <td>{formatTime(e.creation_time)}</td>
                    <td>{formatTime(e.last_update_time)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h2>Tracking URI</h2>
          <pre className="code">{`export MLFLOW_TRACKING_URI=${window.location.origin}${apiPaths.project(project.id).mlflowTracking}\nexport MLFLOW_TRACKING_TOKEN=<your access token>`}</pre>
        </section>
      )}
    </Show>
  );
}
