import type { DeploymentApprovals } from './approvals.ts';
import type { DeployService } from './deploy-service.ts';
import type { DeploymentQueries } from './deployment-queries.ts';
import type { EnvironmentsService } from './environments-service.ts';
import type { ProtectionService } from './protection.ts';
import type { RegistryVersions } from './registry-versions.ts';
import type { Rollouts } from './rollouts.ts';
import type { DeploymentSettingsService } from './settings-service.ts';

/** The deployments domain's use cases, as the routes and the background work take them. */
export interface DeploymentsDomain {
  environments: EnvironmentsService;
  deploy: DeployService;
  queries: DeploymentQueries;
  approvals: DeploymentApprovals;
  rollouts: Rollouts;
  protection: ProtectionService;
  settings: DeploymentSettingsService;
  versions: RegistryVersions;
}
