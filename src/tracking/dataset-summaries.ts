import type { Kysely } from 'kysely';
import type { ProjectAccess } from '../auth/policy.ts';
import type { Schema } from '../db/schema.ts';

export interface DatasetSummary {
  experimentId: number;
  name: string;
  digest: string;
  /** The input's `mlflow.data.context` tag, when it has one. */
  context: string | null;
}

/** MLflow's cap on a dataset summary search (SqlAlchemyStore._search_datasets). */
const MAX_SUMMARIES = 1000;

/** The distinct datasets the runs of some experiments of the project used, with their context. */
export async function datasetSummaries(db: Kysely<Schema>, access: ProjectAccess, experimentIds: number[]): Promise<DatasetSummary[]> {
  if (experimentIds.length === 0) return [];
  const rows = await db
    .selectFrom('datasets')
    .innerJoin('experiments', 'experiments.id', 'datasets.experiment_id')
    .innerJoin('run_inputs', 'run_inputs.dataset_id', 'datasets.id')
    .select(['datasets.experiment_id', 'datasets.name', 'datasets.digest', 'run_inputs.context'])
    .distinct()
    .where('experiments.project_id', '=', access.project.id)
    .where('datasets.experiment_id', 'in', experimentIds)
    .orderBy('datasets.experiment_id')
    .orderBy('datasets.name')
    .orderBy('datasets.digest')
    .orderBy('run_inputs.context')
    .limit(MAX_SUMMARIES)
    .execute();
  return rows.map((r) => ({ experimentId: r.experiment_id, name: r.name, digest: r.digest, context: r.context }));
}
