import { artifactPathOf } from '../artifact-files.ts';
import type { RunLoggedModelNative } from '../../../src/tracking/contract.ts';
import { ModelFiles } from './model-files.tsx';

/**
 * The models a run logged. MLflow 3 keeps a logged model's files under the model's own artifact
 * location, not the run's artifacts, so they are shown here beside the run's own files.
 */
export function RunLoggedModels({ projectId, models }: { projectId: number; models: RunLoggedModelNative[] }) {
  return (
    <>
      {models.map((model) => {
        const root = artifactPathOf(model.artifact_uri);
        return (
          <section key={model.id} className="logged-model" data-testid={`logged-model-${model.name}`}>
            <h3>
              Logged model {model.name} <code className="muted">{model.id}</code>
            </h3>
            {root === null ? <p className="muted">Its files are stored at {model.artifact_uri}, which this server does not serve.</p> : <ModelFiles projectId={projectId} root={root} />}
          </section>
        );
      })}
    </>
  );
}
