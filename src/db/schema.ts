import type { ArtifactTables } from '../artifacts/tables.ts';
import type { AuthTables } from '../auth/tables.ts';
import type { CustomRoleTables } from '../auth/custom-roles/tables.ts';
import type { DeploymentTables } from '../deployments/tables.ts';
import type { EventTables } from '../events/tables.ts';
import type { IssueTables } from '../issues/tables.ts';
import type { ImportTables } from '../imports/tables.ts';
import type { IntegrationTables } from '../integrations/google/integration-tables.ts';
import type { PipelineTables } from '../pipelines/tables.ts';
import type { ServingTables } from '../serving/tables.ts';
import type { StorageTables } from '../storage/tables.ts';
import type { TargetTables } from '../targets/tables.ts';
import type { PackageTables } from '../packages/tables.ts';
import type { ProjectTables } from '../projects/tables.ts';
import type { RegistryTables } from '../registry/tables.ts';
import type { WebhookTables } from '../events/webhook-tables.ts';
import type { TrackingTables } from '../tracking/tables.ts';

/** Each domain declares its own tables; the query layer sees their union. */
export interface Schema
  extends
    AuthTables,
    CustomRoleTables,
    ProjectTables,
    EventTables,
    TrackingTables,
    ArtifactTables,
    StorageTables,
    PackageTables,
    RegistryTables,
    WebhookTables,
    PipelineTables,
    DeploymentTables,
    TargetTables,
    ServingTables,
    IssueTables,
    ImportTables,
    IntegrationTables {}
