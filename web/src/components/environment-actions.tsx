import { api } from '../api.ts';
import { variantLabel, type EnvironmentDetail } from '../deployments-model.ts';
import type { ConfirmRequest } from './confirm-dialog.tsx';
import { apiPaths } from '../api-paths.ts';

/**
 * The actions on an environment that its state allows: promote or abort a canary, roll back,
 * stop, and force the stop of one waiting for its on_stop job. Each one opens a confirmation (the page's dialog) saying what will happen; the page
 * shows this only to those whose role may deploy.
 */
export function EnvironmentActions({ projectId, env, confirm }: { projectId: number; env: EnvironmentDetail; confirm: (request: ConfirmRequest) => void }) {
  const paths = apiPaths.project(projectId).environment(env.id);
  const current = env.current_deployment;
  if (env.state === 'stopped') return null;
  // A stopping environment waits for its on_stop job; a stop job that never ends (no runner,
  // stuck) would keep it there, so it can be forced, as GitLab's force stop does.
  if (env.state === 'stopping') {
    return (
      <div className="toolbar" role="group" aria-label="Environment actions">
        <button
          className="reject"
          onClick={() =>
            confirm({
              title: `Force ${env.name} to stop?`,
              body: <p>{env.name} stops now, without waiting for its on_stop job to finish (the job itself is not canceled). Its model servers stop and the gateway answers 503.</p>,
              confirmLabel: 'Force stop',
              danger: true,
              run: () => api.post(paths.stop, { force: true }),
            })
          }
        >
          Force stop
        </button>
      </div>
    );
  }
  const canary = current?.policy.kind === 'canary' ? current.policy : null;
  const canaryVariant = current?.variants.find((v) => v.name === 'canary');
  const stableVariant = current?.variants.find((v) => v.name === 'stable');
  return (
    <div className="toolbar" role="group" aria-label="Environment actions">
      {canary && canaryVariant && (
        <>
          <button
            className="primary"
            onClick={() =>
              confirm({
                title: canary.step + 1 < canary.steps.length ? `Promote the canary to ${canary.steps[canary.step + 1]}%?` : 'Promote the canary to stable?',
                body:
                  canary.step + 1 < canary.steps.length ? (
                    <p>
                      {variantLabel(canaryVariant)} goes from {canary.steps[canary.step]}% to {canary.steps[canary.step + 1]}% of {env.name}’s traffic now, without waiting for its gates.
                    </p>
                  ) : (
                    <p>
                      {variantLabel(canaryVariant)} takes all of {env.name}’s traffic and becomes the stable version, without waiting for its gates.
                    </p>
                  ),
                confirmLabel: 'Promote',
                reason: { label: 'Reason (optional)', required: false },
                run: (reason) => api.post(paths.promote, reason ? { reason } : {}),
              })
            }
          >
            Promote
          </button>
          <button
            className="reject"
            onClick={() =>
              confirm({
                title: 'Abort the canary?',
                body: (
                  <p>
                    {env.name} goes back to {stableVariant ? variantLabel(stableVariant) : 'its previous deployment'} alone; {variantLabel(canaryVariant)} stops taking traffic. The reason is recorded
                    in the history.
                  </p>
                ),
                confirmLabel: 'Abort canary',
                danger: true,
                reason: { label: 'Reason', required: true },
                run: (reason) => api.post(paths.rollback, { reason: `canary aborted: ${reason}` }),
              })
            }
          >
            Abort canary
          </button>
        </>
      )}
      {current && !canary && (
        <button
          className="reject"
          onClick={() =>
            confirm({
              title: `Roll back ${env.name}?`,
              body: <p>{env.name} goes back to the versions and policy of its previous successful deployment. The reason is recorded in the history.</p>,
              confirmLabel: 'Roll back',
              danger: true,
              reason: { label: 'Reason', required: true },
              run: (reason) => api.post(paths.rollback, { reason }),
            })
          }
        >
          Roll back
        </button>
      )}
      <button
        onClick={() =>
          confirm({
            title: `Stop ${env.name}?`,
            body: <p>Its model servers stop and the gateway answers 503 for {env.name} until it is deployed again. An on_stop job, if the environment has one, runs first.</p>,
            confirmLabel: 'Stop environment',
            danger: true,
            run: () => api.post(paths.stop, {}),
          })
        }
      >
        Stop
      </button>
    </div>
  );
}
