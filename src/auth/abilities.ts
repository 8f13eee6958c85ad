import type { TokenScope } from './caller.ts';
import type { Role } from './roles.ts';

/**
 * Every route names one of these. An ability says which role it takes on a project, whether
 * non-members may use it on a project they can see (public, or internal for signed-in users),
 * and which token scopes allow it.
 */
interface ProjectAbility {
  scope: 'project';
  minRole: Role;
  /** Readers of a visible project who are not members may use it. */
  openToVisibleReaders: boolean;
  scopes: readonly TokenScope[];
  /** CI job tokens may use it (GitLab limits job tokens to a few APIs: here ML, packages, reading the project). */
  jobToken?: true;
}

interface InstanceAbility {
  scope: 'instance';
  who: 'anyone' | 'signed_in' | 'admin';
  scopes: readonly TokenScope[] | 'any';
}

const READ_GENERAL: readonly TokenScope[] = ['api', 'read_api'];
const WRITE_GENERAL: readonly TokenScope[] = ['api'];
const READ_ML: readonly TokenScope[] = ['api', 'read_api', 'read_model_registry', 'write_model_registry'];
const WRITE_ML: readonly TokenScope[] = ['api', 'write_model_registry'];

export const ABILITIES = {
  /** Health probes, the OpenAPI document, signing in. */
  public: { scope: 'instance', who: 'anyone', scopes: 'any' },
  /** The caller's own profile, sessions and tokens; creating a project. */
  'user:self-read': { scope: 'instance', who: 'signed_in', scopes: READ_GENERAL },
  'user:self-write': { scope: 'instance', who: 'signed_in', scopes: WRITE_GENERAL },
  'users:read': { scope: 'instance', who: 'signed_in', scopes: READ_GENERAL },
  /** A multipart part upload: authorized by the upload's own secret, not by a caller's token. */
  'upload:part': { scope: 'instance', who: 'anyone', scopes: 'any' },
  'projects:list': { scope: 'instance', who: 'anyone', scopes: READ_GENERAL },
  'projects:create': { scope: 'instance', who: 'signed_in', scopes: WRITE_GENERAL },
  'admin:read': { scope: 'instance', who: 'admin', scopes: READ_GENERAL },
  'admin:write': { scope: 'instance', who: 'admin', scopes: WRITE_GENERAL },
  /** Runner registration and the runner's job protocol: authorized by a runner token, checked by the service. */
  'runner:protocol': { scope: 'instance', who: 'anyone', scopes: 'any' },
  /** Pipeline trigger tokens and push webhooks: authorized by their own secret, checked by the service. */
  'ci:trigger': { scope: 'instance', who: 'anyone', scopes: 'any' },
  /** Runners the caller can see or create (admins: instance runners; maintainers: their projects'). */
  'runners:read': { scope: 'instance', who: 'signed_in', scopes: READ_GENERAL },
  'runners:manage': { scope: 'instance', who: 'signed_in', scopes: WRITE_GENERAL },

  'project:read': { scope: 'project', minRole: 'guest', openToVisibleReaders: true, scopes: READ_GENERAL, jobToken: true },
  'project:update': { scope: 'project', minRole: 'maintainer', openToVisibleReaders: false, scopes: WRITE_GENERAL },
  'project:delete': { scope: 'project', minRole: 'owner', openToVisibleReaders: false, scopes: WRITE_GENERAL },
  'members:read': { scope: 'project', minRole: 'guest', openToVisibleReaders: true, scopes: READ_GENERAL },
  'members:manage': { scope: 'project', minRole: 'maintainer', openToVisibleReaders: false, scopes: WRITE_GENERAL },
  'access-tokens:read': { scope: 'project', minRole: 'maintainer', openToVisibleReaders: false, scopes: READ_GENERAL },
  'access-tokens:manage': { scope: 'project', minRole: 'maintainer', openToVisibleReaders: false, scopes: WRITE_GENERAL },
  'audit:read': { scope: 'project', minRole: 'maintainer', openToVisibleReaders: false, scopes: READ_GENERAL },
  'packages:read': { scope: 'project', minRole: 'reporter', openToVisibleReaders: true, scopes: READ_GENERAL, jobToken: true },
  'packages:write': { scope: 'project', minRole: 'developer', openToVisibleReaders: false, scopes: WRITE_GENERAL, jobToken: true },
  'registry:maintain': { scope: 'project', minRole: 'maintainer', openToVisibleReaders: false, scopes: WRITE_ML, jobToken: true },
  'webhooks:read': { scope: 'project', minRole: 'maintainer', openToVisibleReaders: false, scopes: READ_GENERAL },
  'webhooks:manage': { scope: 'project', minRole: 'maintainer', openToVisibleReaders: false, scopes: WRITE_GENERAL },
  'ml:read': { scope: 'project', minRole: 'guest', openToVisibleReaders: true, scopes: READ_ML, jobToken: true },
  'ml:write': { scope: 'project', minRole: 'developer', openToVisibleReaders: false, scopes: WRITE_ML, jobToken: true },
  /** Fetching the project's linked repository over git (GitLab's download_code): CI jobs fetch their code with it. */
  'code:read': { scope: 'project', minRole: 'reporter', openToVisibleReaders: true, scopes: READ_GENERAL, jobToken: true },
  'pipelines:read': { scope: 'project', minRole: 'reporter', openToVisibleReaders: true, scopes: READ_GENERAL, jobToken: true },
  /** Run, retry, cancel and play pipelines and jobs; lint. */
  'pipelines:run': { scope: 'project', minRole: 'developer', openToVisibleReaders: false, scopes: WRITE_GENERAL },
  /** CI settings, variables, trigger tokens, project runners. */
  'ci:admin-read': { scope: 'project', minRole: 'maintainer', openToVisibleReaders: false, scopes: READ_GENERAL },
  'ci:admin': { scope: 'project', minRole: 'maintainer', openToVisibleReaders: false, scopes: WRITE_GENERAL },
} as const satisfies Record<string, ProjectAbility | InstanceAbility>;

export type Ability = keyof typeof ABILITIES;
export type ProjectScopedAbility = {
  [K in Ability]: (typeof ABILITIES)[K] extends { scope: 'project' } ? K : never;
}[Ability];

export function isAbility(value: unknown): value is Ability {
  return typeof value === 'string' && Object.hasOwn(ABILITIES, value);
}

export function abilityDefinition(ability: Ability): ProjectAbility | InstanceAbility {
  return ABILITIES[ability];
}
