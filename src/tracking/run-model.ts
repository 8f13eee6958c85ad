import type { Selectable } from 'kysely';
import type { RunsTable } from './tables.ts';

export type RunRow = Selectable<RunsTable>;
export type RunStatus = RunRow['status'];
export const RUN_STATUSES: readonly RunStatus[] = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'];

export interface KeyValue {
  key: string;
  value: string;
}

export interface DatasetRecord {
  name: string;
  digest: string;
  sourceType: string;
  source: string;
  schema: string | null;
  profile: string | null;
}

export interface DatasetInput {
  tags: KeyValue[];
  dataset: DatasetRecord;
}

export interface LatestMetric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}

/** A run as every protocol presents it: info, data (latest metrics, params, tags), inputs, outputs. */
export interface Run {
  row: RunRow;
  metrics: LatestMetric[];
  params: KeyValue[];
  tags: KeyValue[];
  inputs: DatasetInput[];
  /** The logged models the run used. */
  modelInputs: { modelId: string }[];
  outputs: { modelId: string; step: number }[];
}

/** A run's artifacts, under its experiment's artifact location (as MLflow places them). */
export function runArtifactUri(experimentLocation: string, runUuid: string): string {
  return `${experimentLocation}/${runUuid}/artifacts`;
}

export const RUN_NAME_TAG = 'mlflow.runName';
export const CI_JOB_TAG = 'modelyard.ci.job_id';
export const CI_PIPELINE_TAG = 'modelyard.ci.pipeline_id';
