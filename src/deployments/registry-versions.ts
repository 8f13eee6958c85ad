import type { Kysely } from 'kysely';
import type { ProjectAccess } from '../auth/policy.ts';
import type { Schema } from '../db/schema.ts';
import type { AliasesService } from '../registry/aliases-service.ts';
import type { RegisteredModelsService } from '../registry/models-service.ts';
import type { ModelVersionsService } from '../registry/versions-service.ts';
import { AppError } from '../shared/errors.ts';
import { DeploymentErrors } from './errors.ts';

/** A registry version as a deployment ships it. */
export interface ShippedVersion {
  modelId: number;
  modelName: string;
  versionId: number;
  version: number;
  semver: string;
  status: string;
  approvalStatus: string;
  /** 'files': uploaded files (served by the environment's command, if it has one); otherwise an MLflow model. */
  sourceKind: 'run' | 'logged_model' | 'files';
}

const SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

/**
 * Finds the versions deployments name, through the registry's services: a version number, a
 * semantic version (`1.4.2`) or an alias (`champion`). Only the semantic-version lookup reads
 * the registry's table itself, because the registry has no service call for it yet.
 */
export class RegistryVersions {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly deps: { models: RegisteredModelsService; versions: ModelVersionsService; aliases: AliasesService },
  ) {}

  async resolve(access: ProjectAccess, modelName: string, ref: string | number): Promise<ShippedVersion> {
    const model = await this.deps.models.getRow(access, modelName);
    const text = String(ref).trim();
    let row: { id: number; version: number; semver: string; status: string; approval_status: string; source_kind: ShippedVersion['sourceKind'] } | undefined;
    try {
      if (/^\d{1,9}$/.test(text)) row = (await this.deps.versions.getRow(access, model.name, Number(text))).row;
      else if (SEMVER.test(text.replace(/^v/, ''))) {
        row = await this.db.selectFrom('model_versions').selectAll().where('model_id', '=', model.id).where('semver', '=', text.replace(/^v/, '')).executeTakeFirst();
      } else row = (await this.deps.aliases.resolve(access, model.name, text)).row;
    } catch (error) {
      // A malformed alias or a missing one is, to a deployer, a version that does not exist.
      if (!(error instanceof AppError) || (error.kind !== 'not_found' && error.kind !== 'invalid')) throw error;
    }
    if (!row) throw DeploymentErrors.MODEL_VERSION_NOT_FOUND({ model: model.name, version: text });
    return {
      modelId: model.id,
      modelName: model.name,
      versionId: row.id,
      version: row.version,
      semver: row.semver,
      status: row.status,
      approvalStatus: row.approval_status,
      sourceKind: row.source_kind,
    };
  }

  /** The model version behind a registry URL (`…/ml/models/:model_id/versions/:version`). */
  async byModelId(access: ProjectAccess, modelId: number, version: number): Promise<{ versionId: number }> {
    const model = await this.deps.models.getRowById(access, modelId);
    const { row } = await this.deps.versions.getRow(access, model.name, version);
    return { versionId: row.id };
  }
}
