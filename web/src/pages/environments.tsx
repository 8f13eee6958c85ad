import { api } from '../api.ts';
import { PageTitle } from '../page-title.ts';
import { DeploymentVariants } from '../components/deployment-history.tsx';
import { HealthBadge } from '../components/environment-health.tsx';
import { ProjectNav } from '../components/project-nav.tsx';
import { Empty, Show, useLoad } from '../components/states.tsx';
import { TrafficBar } from '../components/traffic-bar.tsx';
import { deployedBy, describePolicy, environmentPath, type EnvironmentDetail } from '../deployments-model.ts';
import { formatIso } from '../pipelines-model.ts';
import { usePolling } from '../polling.ts';
import { loadProject } from '../project.ts';
import { Link } from '../router.tsx';
import { apiPaths } from '../api-paths.ts';

/** Environments in tier order, production first: the ones that matter most read first. */
const TIER_ORDER = ['production', 'staging', 'testing', 'development', 'other'];

/**
 * A project's environments: each one's tier, state and health, what runs there with its
 * traffic split, and its last deployment; each links to its page (actions, figures, history).
 */
export function EnvironmentsPage({ projectId }: { projectId: string }) {
  const [state, reload] = useLoad(['environments', projectId], async () => {
    const project = await loadProject(projectId);
    const list = await api.get<{ id: number }[]>(apiPaths.project(project.id).environments({ per_page: 100 }));
    const environments = await Promise.all(list.map((e) => api.get<EnvironmentDetail>(apiPaths.project(project.id).environment(e.id).self)));
    environments.sort((a, b) => TIER_ORDER.indexOf(a.tier) - TIER_ORDER.indexOf(b.tier) || a.name.localeCompare(b.name));
    return { project, environments };
  });
  // Health and canary steps move on by themselves.
  usePolling(state.status === 'ready' && state.data.environments.length > 0, 10_000, reload);
  return (
    <Show state={state} what="Loading environments">
      {({ project, environments }) => (
        <section>
          <PageTitle parts={['Environments', project.name]} />
          <ProjectNav project={project} />
          <h1>Environments</h1>
          {environments.length === 0 ? (
            <Empty>
              No environments yet. Deploy a model version with <code>modelyard deploy --environment staging --model NAME --version N</code>, from a CI job with <code>environment:</code>, or through
              the API.
            </Empty>
          ) : (
            <table className="grid" aria-label="Environments" data-testid="environments">
              <thead>
                <tr>
                  <th>Environment</th>
                  <th>Tier</th>
                  <th>State</th>
                  <th>Health</th>
                  <th>What runs</th>
                  <th>Last deployment</th>
                </tr>
              </thead>
              <tbody>
                {environments.map((env) => {
                  const current = env.current_deployment;
                  const last = env.last_deployment;
                  return (
                    <tr key={env.id} data-testid={`environment-${env.name}`}>
                      <td>
                        <Link to={environmentPath(project.id, env.id)}>{env.name}</Link>
                      </td>
                      <td>{env.tier}</td>
                      <td>{env.state}</td>
                      <td>
                        <HealthBadge health={env.health} />
                      </td>
                      <td className="what-runs">
                        {current ? (
                          <>
                            <TrafficBar variants={current.variants} compact />
                            <DeploymentVariants deployment={current} />
                            <div className="muted">{describePolicy(current)}</div>
                          </>
                        ) : (
                          <span className="muted">nothing</span>
                        )}
                      </td>
                      <td>
                        {last ? (
                          <>
                            #{last.iid} {last.status} · {deployedBy(last)} · {formatIso(last.created_at)}
                            <div className="muted">{last.reason}</div>
                          </>
                        ) : (
                          <span className="muted">none</span>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
        </section>
      )}
    </Show>
  );
}
