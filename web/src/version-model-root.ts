import { artifactPathOf } from './artifact-files.ts';
import type { LineageNative, VersionNative } from '../../src/registry/contract.ts';

/**
 * Where a version's model files are under the project's artifacts: its logged model's location
 * (MLflow 3), the run's artifacts for a `runs:/<id>/<path>` source, or the source itself; null
 * when they are elsewhere.
 */
export function versionModelRoot(version: VersionNative, lineage: LineageNative): string | null {
  if (lineage.logged_model) return artifactPathOf(lineage.logged_model.artifact_uri);
  const fromRun = /^runs:\/([0-9a-f]{32})\/(.*?)\/*$/.exec(version.source);
  const run = lineage.run;
  if (fromRun && run && run.id === fromRun[1]) {
    const runRoot = artifactPathOf(run.artifact_uri);
    return runRoot === null ? null : fromRun[2] ? `${runRoot}/${fromRun[2]}` : runRoot;
  }
  return artifactPathOf(version.source);
}
