import { useEffect } from 'react';
import { api } from '../api.ts';
import { apiPaths } from '../api-paths.ts';
import { navigate } from '../router.tsx';
import { Show, useLoad } from './states.tsx';
import type { ModelNative } from '../../../src/registry/contract.ts';

/** Where a `model:name/3` reference in Markdown leads: the version's page, found by the model's name. */
export function ModelReference({ projectId, name, version }: { projectId: string; name: string; version: string }) {
  const [state] = useLoad(['model-reference', projectId, name], async () => {
    const models = await api.get<ModelNative[]>(apiPaths.project(projectId).models({ search: name, per_page: 100 }));
    const model = models.find((m) => m.name === name);
    if (!model) throw new Error(`There is no model named ${name} in this project, or you may not see it.`);
    return model;
  });
  useEffect(() => {
    if (state.status === 'ready') navigate(`/projects/${encodeURIComponent(projectId)}/models/${state.data.id}/versions/${encodeURIComponent(version)}`, true);
  }, [state, projectId, version]);
  return (
    <Show state={state} what={`Finding ${name}`}>
      {() => null}
    </Show>
  );
}
