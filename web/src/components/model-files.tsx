import { readArtifactText } from '../artifact-files.ts';
import { describeModel } from '../mlmodel.ts';
import { ArtifactBrowser } from './artifact-browser.tsx';
import { InputExample } from './input-example.tsx';
import { SignatureTable } from './signature-table.tsx';
import { Empty, Show, useLoad } from './states.tsx';

/** What the MLflow client saved for a model, read from its files. */
async function loadModelFiles(projectId: number, root: string) {
  const mlmodel = await readArtifactText(projectId, `${root}/MLmodel`);
  if (mlmodel === null) return null;
  const description = await describeModel(mlmodel);
  const [requirements, example] = await Promise.all([
    readArtifactText(projectId, `${root}/requirements.txt`),
    description.inputExample ? readArtifactText(projectId, `${root}/${description.inputExample.path}`) : Promise.resolve(null),
  ]);
  return { mlmodel, description, requirements, example };
}

/**
 * A model's files (those of a logged model, or of a version's source): its signature, input
 * example and requirements as MLflow saved them, the MLmodel file itself, and every file.
 */
export function ModelFiles({ projectId, root }: { projectId: number; root: string }) {
  const [state] = useLoad(['model-files', projectId, root], () => loadModelFiles(projectId, root));
  return (
    <div className="model-files" data-testid="model-files">
      <Show state={state} what="Reading the model's files">
        {(model) =>
          model === null ? (
            <Empty>No MLmodel file here.</Empty>
          ) : (
            <>
              <p>
                Flavors: {model.description.flavors.join(', ') || '—'}
                {model.description.mlflowVersion && <span className="muted"> · saved by MLflow {model.description.mlflowVersion}</span>}
              </p>
              <h4>Signature</h4>
              {model.description.inputs || model.description.outputs ? (
                <div className="signature-tables">
                  {model.description.inputs && <SignatureTable caption="Inputs" columns={model.description.inputs} />}
                  {model.description.outputs && <SignatureTable caption="Outputs" columns={model.description.outputs} />}
                </div>
              ) : (
                <Empty>No signature saved.</Empty>
              )}
              <h4>Input example</h4>
              {model.example !== null ? <InputExample text={model.example} /> : <Empty>No input example saved.</Empty>}
              <h4>Requirements</h4>
              {model.requirements !== null ? (
                <ul className="requirements" data-testid="requirements">
                  {model.requirements
                    .split(/\r?\n/)
                    .filter((line) => line.trim() !== '')
                    .map((line) => (
                      <li key={line}>
                        <code>{line}</code>
                      </li>
                    ))}
                </ul>
              ) : (
                <Empty>No requirements.txt saved.</Empty>
              )}
              <details>
                <summary>MLmodel</summary>
                <pre className="code" data-testid="mlmodel">
                  {model.mlmodel}
                </pre>
              </details>
            </>
          )
        }
      </Show>
      <h4>Files</h4>
      <ArtifactBrowser projectId={projectId} root={root} />
    </div>
  );
}
