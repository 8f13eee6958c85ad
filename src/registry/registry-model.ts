import type { Selectable } from 'kysely';
import type { KeyValue } from '../tracking/run-model.ts';
import type { ModelVersionsTable, RegisteredModelsTable } from './tables.ts';

export type ModelRow = Selectable<RegisteredModelsTable>;
export type VersionRow = Selectable<ModelVersionsTable>;
export type Stage = VersionRow['current_stage'];
export const STAGES: readonly Stage[] = ['None', 'Staging', 'Production', 'Archived'];

export interface ModelVersion {
  row: VersionRow;
  modelName: string;
  tags: KeyValue[];
  aliases: string[];
  labels: string[];
}

export interface RegisteredModel {
  row: ModelRow;
  tags: KeyValue[];
  aliases: { alias: string; version: number }[];
  labels: string[];
  latestVersions: ModelVersion[];
}

/** Tags that set a version's semantic version at creation, Modelyard's and GitLab's. */
export const SEMVER_TAGS = ['modelyard.semver', 'gitlab.version'] as const;

/** MLflow's limits for registry tags. */
export const REGISTRY_TAG_KEY_MAX = 250;
export const REGISTRY_TAG_VALUE_MAX = 100_000;
