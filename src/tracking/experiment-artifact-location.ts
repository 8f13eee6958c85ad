import { defineErrors } from '../shared/errors.ts';

/**
 * Where an experiment's runs and logged models keep their artifacts. MLflow lets
 * `experiments/create` name any location (a server path, a bucket, another host); the client
 * then writes there itself, or the server proxies there. In Modelyard a project's artifacts live
 * in the project's own storage, reached only through `mlflow-artifacts:/`, where the caller's
 * project permissions apply. So a client may choose a folder inside that tree — what the server
 * would give anyway, in another place of the same tree — and nothing else: a location outside
 * it would make the server (or a client trusting the answer) write a project's artifacts where
 * the project's permissions do not reach.
 */

const PROXIED = 'mlflow-artifacts:';
/** MLflow's MLFLOW_ARTIFACT_LOCATION_MAX_LENGTH default. */
const MAX_LENGTH = 2048;

export const ExperimentLocationErrors = defineErrors('tracking', {
  /** MLflow's words for the refusals MLflow makes too. */
  LOCATION_WITH_FRAGMENT: { kind: 'invalid', message: "'artifact_location' URL can't include fragments or params." },
  LOCATION_IS_RUN_URI: { kind: 'invalid', message: ({ location }: { location: string }) => `Artifact location cannot be a runs:/ URI. Given: '${location}'` },
  LOCATION_TOO_LONG: {
    kind: 'invalid',
    message: `Invalid artifact path length. The length of the artifact path cannot be greater than ${MAX_LENGTH} characters.`,
  },
  /** Modelyard's own refusal: the location would leave the project's storage. */
  LOCATION_OUTSIDE_PROJECT: {
    kind: 'invalid',
    message: ({ location }: { location: string }) =>
      `Invalid value '${location.slice(0, 500)}' for parameter 'artifact_location': an experiment's artifacts stay in its project's storage, ` +
      'so only a folder of it can be chosen, as mlflow-artifacts:/<path> (without ".", ".." or "%"). Leave artifact_location out to get mlflow-artifacts:/<experiment_id>.',
  },
});

/** The default experiment's location, as MLflow gives experiment "0". */
export const DEFAULT_EXPERIMENT_ARTIFACT_LOCATION = `${PROXIED}/0`;

/** The location of an experiment created without one (its rows written before locations were kept, too). */
export function assignedArtifactLocation(experimentId: number): string {
  return `${PROXIED}/${experimentId}`;
}

/**
 * A client's `artifact_location`, checked in MLflow's order, as it is stored:
 * `mlflow-artifacts:/a/b` (doubled and trailing slashes dropped).
 */
export function chosenArtifactLocation(location: string): string {
  if (/[#;]/.test(location)) throw ExperimentLocationErrors.LOCATION_WITH_FRAGMENT();
  if (location.toLowerCase().startsWith('runs:')) throw ExperimentLocationErrors.LOCATION_IS_RUN_URI({ location: location.slice(0, 500) });
  if (location.length > MAX_LENGTH) throw ExperimentLocationErrors.LOCATION_TOO_LONG();
  const outside = () => ExperimentLocationErrors.LOCATION_OUTSIDE_PROJECT({ location });
  if (!location.toLowerCase().startsWith(PROXIED)) throw outside();
  const rest = location.slice(PROXIED.length);
  // `mlflow-artifacts://host/...` names another server's proxy: not this project's storage.
  if (!rest.startsWith('/') || rest.startsWith('//')) throw outside();
  // Percent-escapes, backslashes, NUL, queries: spellings of a path that storage could read differently.
  if (/[%\\?\u0000]/.test(rest)) throw outside();
  const segments = rest.split('/').filter((segment) => segment !== '');
  if (segments.length === 0 || segments.some((segment) => segment === '.' || segment === '..')) throw outside();
  return `${PROXIED}/${segments.join('/')}`;
}
