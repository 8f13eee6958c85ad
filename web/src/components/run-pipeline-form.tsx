import { useState } from 'react';
import { api } from '../api.ts';
import { actionError, filledVariables, type Pipeline, type Variable } from '../pipelines-model.ts';
import { VariableRows } from './variable-rows.tsx';
import { apiPaths } from '../api-paths.ts';

/** Starts a pipeline for a branch or tag with extra variables, as GitLab's "Run pipeline" does. */
export function RunPipelineForm({ projectId, onStarted, onClose }: { projectId: number; onStarted: (pipeline: Pipeline) => void; onClose: () => void }) {
  const [ref, setRef] = useState('main');
  const [variables, setVariables] = useState<Variable[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <form
      className="panel run-pipeline"
      aria-label="Run pipeline"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        try {
          onStarted(await api.post<Pipeline>(apiPaths.project(projectId).createPipeline, { ref: ref.trim(), variables: filledVariables(variables) }));
        } catch (err) {
          setError(actionError(err, 'run pipelines'));
        } finally {
          setBusy(false);
        }
      }}
    >
      <label>
        Branch or tag <input aria-label="Ref" value={ref} onChange={(e) => setRef(e.target.value)} required />
      </label>
      <div>
        <div className="muted">Variables</div>
        <VariableRows label="Variable" rows={variables} onChange={setVariables} />
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="toolbar">
        <button type="submit" className="primary" disabled={busy}>
          Run pipeline
        </button>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </form>
  );
}
