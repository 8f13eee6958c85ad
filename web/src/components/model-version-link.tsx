import { api } from '../api.ts';
import { apiPaths } from '../api-paths.ts';
import { Link } from '../router.tsx';
import type { VersionNative } from '../../../src/registry/contract.ts';
import { useLoad } from './states.tsx';

/** A version named as people name it (iris v1), linked to its page, from the row id a pipeline records. */
export function ModelVersionLink({ projectId, versionId }: { projectId: number; versionId: number }) {
  const [state] = useLoad(['model-version-by-row', projectId, versionId], () => api.get<VersionNative>(apiPaths.project(projectId).modelVersionByRow(versionId)));
  if (state.status !== 'ready') return <span className="muted">{state.status === 'error' ? 'a model version no longer there' : 'a model version'}</span>;
  const v = state.data;
  return (
    <Link to={`/projects/${projectId}/models/${v.model_id}/versions/${v.version}`}>
      {v.model_name} v{v.version}
    </Link>
  );
}
