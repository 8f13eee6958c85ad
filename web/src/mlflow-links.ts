import { projectOfTrackingUri } from './api-paths.ts';

/**
 * The MLflow client prints links into MLflow's own UI: `<tracking URI>/#/experiments/2/runs/<id>`,
 * `<tracking URI>/#/experiments/2`, and MLflow's registry pages `#/models/<name>/versions/<n>`.
 * A tracking URI is a project's (see apiPaths.project(id).mlflowTracking) or the server root
 * (the default project). This reads such links as places in Modelyard's own pages.
 */
export type MlflowPlace =
  { kind: 'run'; experimentId: string; runId: string } | { kind: 'experiment'; experimentId: string } | { kind: 'model'; modelName: string } | { kind: 'version'; modelName: string; version: string };

const RUN = /^#\/experiments\/(\d+)\/runs\/([0-9a-f]{32})(?:[/?].*)?$/;
const EXPERIMENT = /^#\/experiments\/(\d+)(?:[/?].*)?$/;
const VERSION = /^#\/models\/([^/?]+)\/versions\/(\d+)(?:[/?].*)?$/;
const MODEL = /^#\/models\/([^/?]+)(?:[/?].*)?$/;

/** The place a fragment of MLflow's UI names, or null when it names none. */
export function mlflowPlace(fragment: string): MlflowPlace | null {
  let m = RUN.exec(fragment);
  if (m) return { kind: 'run', experimentId: m[1]!, runId: m[2]! };
  m = EXPERIMENT.exec(fragment);
  if (m) return { kind: 'experiment', experimentId: m[1]! };
  m = VERSION.exec(fragment);
  if (m) return { kind: 'version', modelName: decodeURIComponent(m[1]!), version: m[2]! };
  m = MODEL.exec(fragment);
  if (m) return { kind: 'model', modelName: decodeURIComponent(m[1]!) };
  return null;
}

/**
 * The page of a place in a project; a model is named, not numbered, in MLflow's links, so its
 * page is the project's page with the fragment kept, which finds the model by name.
 */
export function pageOfPlace(projectId: string | number, place: MlflowPlace, fragment: string): string {
  const project = `/projects/${encodeURIComponent(String(projectId))}`;
  if (place.kind === 'run') return `${project}/runs/${place.runId}`;
  if (place.kind === 'experiment') return `${project}/experiments/${place.experimentId}`;
  return `${project}${fragment}`;
}

/**
 * The app's page for a link the MLflow client printed (in a job's log), or null for any other
 * URL. A link at the server root goes to the root with its fragment: the default project's.
 */
export function pageOfMlflowLink(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  const place = mlflowPlace(parsed.hash);
  if (!place) return null;
  const project = projectOfTrackingUri(parsed.pathname);
  if (project !== null) return pageOfPlace(project, place, parsed.hash);
  return /^\/*$/.test(parsed.pathname) ? `/${parsed.hash}` : null;
}
