import { defineErrors } from '../shared/errors.ts';

type Named = { name: string };

/** Every error the deployments API answers with, declared once. */
export const DeploymentErrors = defineErrors('deployments', {
  ENVIRONMENT_NOT_FOUND: { kind: 'not_found', message: ({ name }: Named) => `404 Environment ${name} Not Found` },
  ENVIRONMENT_EXISTS: { kind: 'already_exists', message: ({ name }: Named) => `Environment ${name} already exists in this project` },
  ENVIRONMENT_SLUG_TAKEN: {
    kind: 'already_exists',
    message: ({ name, slug }: Named & { slug: string }) => `Environment ${name} would have the slug ${slug}, which another environment of this project has; choose another name`,
  },
  ENVIRONMENT_NOT_STOPPED: { kind: 'conflict', message: ({ name }: Named) => `Environment ${name} is available: stop it before deleting it` },
  NO_TARGET_SET: { kind: 'not_found', message: ({ name }: Named) => `404 Environment ${name} runs on the local agents: it has no target to remove` },
  ENVIRONMENT_STOPPED: { kind: 'conflict', message: ({ name, action }: Named & { action: string }) => `Environment ${name} is stopped: deploy to it before you ${action}` },
  DEPLOYMENT_NOT_FOUND: { kind: 'not_found', message: ({ id }: { id: number }) => `404 Deployment ${id} Not Found` },
  MODEL_VERSION_NOT_FOUND: {
    kind: 'not_found',
    message: ({ model, version }: { model: string; version: string }) => `Model version ${version} of ${model} not found (a version number, a semantic version or an alias)`,
  },
  VERSION_NOT_DEPLOYABLE: {
    kind: 'conflict',
    message: ({ model, version, status }: { model: string; version: number; status: string }) => `Model version ${version} of ${model} is ${status}, not READY: it has no files to serve yet`,
  },
  VERSION_NOT_APPROVED_FOR_PRODUCTION: {
    kind: 'conflict',
    message: ({ model, version, environment, status }: { model: string; version: number; environment: string; status: string }) =>
      `Model version ${version} of ${model} is not approved in the registry (its approval status is ${status}), and this project lets only approved versions reach a production-tier environment such as ${environment}`,
  },
  INVALID_POLICY: { kind: 'invalid', message: ({ detail }: { detail: string }) => detail },
  STALE_DATE_MISSING: { kind: 'invalid', message: '400 Bad request - before is missing (an ISO 8601 date or time, in the query or the body)' },
  INVALID_STALE_DATE: { kind: 'invalid', message: ({ detail }: { detail: string }) => `400 Bad request - Invalid Date: ${detail}` },
  ENVIRONMENT_EMPTY: { kind: 'conflict', message: ({ name }: Named) => `Environment ${name} has no deployment yet` },
  NOTHING_TO_ROLL_BACK_TO: { kind: 'conflict', message: ({ name }: Named) => `Environment ${name} has no earlier successful deployment to roll back to` },
  NOT_A_CANARY: { kind: 'conflict', message: ({ name }: Named) => `Environment ${name} is not running a canary: there is nothing to promote` },
  JOB_ENVIRONMENT_MISMATCH: {
    kind: 'forbidden',
    message: ({ job, environment, named }: { job: string; environment: string; named: string | null }) =>
      named === null
        ? `403 Forbidden: job ${job} declares no environment, so its token deploys nowhere (add environment: {name: ${environment}} to the job)`
        : `403 Forbidden: job ${job} deploys to ${named} (its environment:), not to ${environment}`,
  },
  JOB_ACTION_NOT_START: {
    kind: 'forbidden',
    message: ({ job, action }: { job: string; action: string }) => `403 Forbidden: job ${job} has environment:action ${action}; only a job with action start deploys`,
  },
  DEPLOY_NOT_ALLOWED: { kind: 'forbidden', message: ({ name }: Named) => `403 Forbidden: environment ${name} is protected and you are not among those allowed to deploy to it` },
  APPROVAL_NOT_NEEDED: { kind: 'conflict', message: ({ id }: { id: number }) => `Deployment ${id} is not waiting for approvals` },
  APPROVAL_NOT_ALLOWED: { kind: 'forbidden', message: ({ name }: Named) => `403 Forbidden: the protection rules of ${name} do not let you approve its deployments` },
  DEPLOYMENT_SELF_APPROVAL: { kind: 'forbidden', message: 'Deployments cannot be approved by the user who triggered them' },
  DEPLOYMENT_ALREADY_DECIDED: { kind: 'conflict', message: ({ id }: { id: number }) => `You already decided on deployment ${id}` },
  PROTECTED_ENVIRONMENT_NOT_FOUND: { kind: 'not_found', message: ({ name }: Named) => `404 Protected environment ${name} Not Found` },
  PROTECTED_ENVIRONMENT_EXISTS: { kind: 'already_exists', message: ({ name }: Named) => `Environment ${name} is already protected` },
  INVALID_PROTECTION: { kind: 'invalid', message: ({ detail }: { detail: string }) => detail },
});
