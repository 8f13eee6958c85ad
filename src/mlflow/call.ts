import { invalid } from '../shared/errors.ts';
import type { MlflowCall } from './endpoint.ts';
import { ExperimentIds } from './tracking-presenters.ts';

/** A call of an endpoint: the request's pieces, and the experiment-id mapping loaded on first use. */
export function mlflowCall(pieces: Pick<MlflowCall, 'access' | 'message' | 'params' | 'bodyBytes' | 'services'>): MlflowCall {
  let ids: ExperimentIds | undefined;
  const loadIds = async () => (ids ??= new ExperimentIds((await pieces.services.experiments.defaultExperiment(pieces.access)).id));
  return {
    ...pieces,
    ids: loadIds,
    async experimentId(raw, field = 'experiment_id') {
      if (raw === undefined || raw === '') throw invalid(`Missing value for required parameter '${field}'.`);
      if (raw === '0') return (await loadIds()).defaultId;
      if (!/^\d{1,15}$/.test(raw)) throw invalid(`Invalid experiment ID '${raw}'. Experiment ID must be a valid integer.`);
      return Number(raw);
    },
  };
}
