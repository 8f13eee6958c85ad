import { defineErrors, invalid } from '../shared/errors.ts';

/**
 * Tracking's named errors. Most texts are MLflow's own words (its client and its users match on
 * them), so they stay exactly as they are, including where two lookups word the same code
 * differently.
 */
export const TrackingErrors = defineErrors('tracking', {
  /** By id (the usual lookup) or by name (MLflow's GetExperimentByName). */
  EXPERIMENT_NOT_FOUND: {
    kind: 'not_found',
    message: (experiment: { id: number } | { name: string }) => ('id' in experiment ? `No Experiment with id=${experiment.id} exists` : `Could not find experiment with name '${experiment.name}'`),
  },
  EXPERIMENT_EXISTS: { kind: 'already_exists', message: ({ name }: { name: string }) => `Experiment(name=${name}) already exists.` },
  RUN_NOT_FOUND: { kind: 'not_found', message: ({ id }: { id: string }) => `Run with id=${id} not found` },
  LOGGED_MODEL_NOT_FOUND: { kind: 'not_found', message: ({ id }: { id: string }) => `Logged model with ID '${id}' not found.` },
  /**
   * A tag to delete that is not there. One code for every tagged thing (experiments, runs and
   * logged models here; registered models and versions in the registry, which words it with the
   * key alone), each keeping the wording its clients know.
   */
  TAG_NOT_FOUND: {
    kind: 'not_found',
    message: (tag: { key: string; experimentId: number } | { key: string; runId: string } | { key: string; loggedModelId: string } | { key: string }) => {
      if ('experimentId' in tag) return `No tag with name: ${tag.key} in experiment with id ${tag.experimentId} Not Found`;
      if ('runId' in tag) return `No tag with name: ${tag.key} in run with id ${tag.runId}`;
      if ('loggedModelId' in tag) return `No tag with key '${tag.key}' on logged model '${tag.loggedModelId}'`;
      return `No tag with key '${tag.key}'`;
    },
  },
});

/*
 * Refusals under the generic INVALID_INPUT code that more than one place answers, worded once
 * here (MLflow's wording). The validation of single fields lives in limits.ts.
 */

/** Writes to a deleted experiment or run, and lifecycle changes that find it already there. */
export const mustBeInStage = (thing: 'experiment' | 'run', id: number | string, wanted: 'active' | 'deleted', current: string) =>
  invalid(`The ${thing} ${id} must be in the '${wanted}' state. Current state is ${current}.`);
