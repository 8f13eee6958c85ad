import type { ProjectAccess } from '../auth/policy.ts';
import type { DeploymentQueries } from '../deployments/deployment-queries.ts';
import type { PipelinesService } from '../pipelines/pipelines-service.ts';
import type { RegisteredModelsService } from '../registry/models-service.ts';
import type { ModelVersionsService } from '../registry/versions-service.ts';
import { isAppError } from '../shared/errors.ts';
import type { ExperimentsService } from '../tracking/experiments-service.ts';
import type { RunsService } from '../tracking/runs-service.ts';
import type { LinkType } from './contract.ts';
import { IssueErrors } from './errors.ts';

/** What an issue can be linked to, found through each domain's own service (and its permission checks). */
export interface LinkTargetServices {
  models: RegisteredModelsService;
  versions: ModelVersionsService;
  experiments: ExperimentsService;
  runs: RunsService;
  pipelines: PipelinesService;
  deployments: DeploymentQueries;
}

export interface LinkTarget {
  type: LinkType;
  /** As stored: a run's 32-hex id, the others' integer ids as text. */
  id: string;
  title: string;
}

const INTEGER_ID = /^[1-9]\d{0,15}$/;
const RUN_ID = /^[0-9a-f]{32}$/;

/** The object a link names, in the caller's project; a missing one (or one of another project) is a 404 naming it. */
export async function findLinkTarget(services: LinkTargetServices, access: ProjectAccess, type: LinkType, rawId: string | number): Promise<LinkTarget> {
  const id = String(rawId).trim().toLowerCase();
  const missing = () => IssueErrors.LINK_TARGET_NOT_FOUND({ type, id: id.slice(0, 64) });
  if (type === 'run' ? !RUN_ID.test(id) : !INTEGER_ID.test(id)) throw missing();
  try {
    return { type, id, title: await titleOf(services, access, type, id) };
  } catch (error) {
    if (isAppError(error) && error.kind === 'not_found') throw missing();
    throw error;
  }
}

async function titleOf(services: LinkTargetServices, access: ProjectAccess, type: LinkType, id: string): Promise<string> {
  switch (type) {
    case 'model':
      return (await services.models.getRowById(access, Number(id))).name;
    case 'version': {
      const { model, row } = await services.versions.getById(access, Number(id));
      return `${model.name} v${row.version} (${row.semver})`;
    }
    case 'experiment':
      return (await services.experiments.getRow(access, Number(id))).name;
    case 'run': {
      const run = await services.runs.getRow(access, id);
      return run.name === '' ? id : `${run.name} (${id.slice(0, 8)})`;
    }
    case 'pipeline': {
      const pipeline = await services.pipelines.get(access, Number(id));
      return `pipeline #${pipeline.iid}`;
    }
    case 'deployment': {
      const deployment = await services.deployments.get(access, Number(id));
      return `deployment #${deployment.row.iid} to ${deployment.environment.name}`;
    }
  }
}
