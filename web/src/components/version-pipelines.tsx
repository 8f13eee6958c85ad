import { api } from '../api.ts';
import type { Pipeline } from '../pipelines-model.ts';
import { PipelinesTable } from './pipelines-table.tsx';
import { Empty, Show, useLoad } from './states.tsx';
import { apiPaths } from '../api-paths.ts';

/** Pipelines that registry events of this version started (evaluate, validate, deploy), newest first. */
export function VersionPipelines({ projectId, versionRowId }: { projectId: number; versionRowId: number }) {
  const [state] = useLoad(['version-pipelines', projectId, versionRowId], () => api.page<Pipeline>(apiPaths.project(projectId).pipelines({ model_version_id: versionRowId, per_page: 20 })));
  return (
    <Show state={state} what="Loading pipelines">
      {(pipelines) =>
        pipelines.items.length === 0 ? (
          <Empty>No pipeline has run for this version. Turn on registry triggers in the project’s CI settings to run one when it changes.</Empty>
        ) : (
          <PipelinesTable projectId={projectId} pipelines={pipelines.items} label="Pipelines of this version" testId="version-pipelines" />
        )
      }
    </Show>
  );
}
