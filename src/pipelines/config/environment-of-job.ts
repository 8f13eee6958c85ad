import { environmentSlug, guessTier } from '../../shared/environment-names.ts';
import type { EnvironmentSpec } from './types.ts';

const VARIABLE = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/** `$VAR` and `${VAR}` replaced by their values (an unknown one by nothing), as GitLab expands `environment:name`. */
export function expandVariables(text: string, variables: Record<string, string>): string {
  return text.replace(VARIABLE, (_match, braced: string | undefined, bare: string | undefined) => variables[(braced ?? bare)!] ?? '');
}

/** The job's environment with its variables expanded (`review/$CI_COMMIT_REF_SLUG`). */
export function expandEnvironment(environment: EnvironmentSpec, variables: Record<string, string>): EnvironmentSpec {
  const expanded: EnvironmentSpec = { ...environment, name: expandVariables(environment.name, variables) };
  if (environment.url !== undefined) expanded.url = expandVariables(environment.url, variables);
  return expanded;
}

/** GitLab's predefined variables of a job with `environment:`. */
export function environmentVariables(environment: EnvironmentSpec): Record<string, string> {
  return {
    CI_ENVIRONMENT_NAME: environment.name,
    CI_ENVIRONMENT_SLUG: environmentSlug(environment.name),
    CI_ENVIRONMENT_TIER: environment.deploymentTier ?? guessTier(environment.name),
    CI_ENVIRONMENT_ACTION: environment.action,
    ...(environment.url !== undefined ? { CI_ENVIRONMENT_URL: environment.url } : {}),
  };
}
