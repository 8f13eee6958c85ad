import type { Ability } from '../../src/auth/abilities.ts';

/**
 * The documented permission model (docs/permissions.md), written out by hand so that a change
 * in the policy code that contradicts it fails a test. Outcomes are for a private project.
 */
export const PERSONAS = ['anonymous', 'other_project_member', 'guest', 'reporter', 'developer', 'maintainer', 'owner', 'admin'] as const;
export type Persona = (typeof PERSONAS)[number];
export type Outcome = 'allowed' | 401 | 403 | 404;

const row = (anonymous: Outcome, other: Outcome, guest: Outcome, reporter: Outcome, developer: Outcome, maintainer: Outcome, owner: Outcome, admin: Outcome): Record<Persona, Outcome> => ({
  anonymous,
  other_project_member: other,
  guest,
  reporter,
  developer,
  maintainer,
  owner,
  admin,
});

const A = 'allowed' as const;

export const EXPECTED_OUTCOMES: Record<Ability, Record<Persona, Outcome>> = {
  public: row(A, A, A, A, A, A, A, A),
  'user:self-read': row(401, A, A, A, A, A, A, A),
  'user:self-write': row(401, A, A, A, A, A, A, A),
  'users:read': row(401, A, A, A, A, A, A, A),
  'projects:list': row(A, A, A, A, A, A, A, A),
  'upload:part': row(A, A, A, A, A, A, A, A),
  'projects:create': row(401, A, A, A, A, A, A, A),
  'admin:read': row(401, 403, 403, 403, 403, 403, 403, A),
  'admin:write': row(401, 403, 403, 403, 403, 403, 403, A),
  'project:read': row(404, 404, A, A, A, A, A, A),
  'project:update': row(404, 404, 403, 403, 403, A, A, A),
  'project:delete': row(404, 404, 403, 403, 403, 403, A, A),
  'members:read': row(404, 404, A, A, A, A, A, A),
  'members:manage': row(404, 404, 403, 403, 403, A, A, A),
  'access-tokens:read': row(404, 404, 403, 403, 403, A, A, A),
  'access-tokens:manage': row(404, 404, 403, 403, 403, A, A, A),
  'audit:read': row(404, 404, 403, 403, 403, A, A, A),
  'packages:read': row(404, 404, 403, A, A, A, A, A),
  'packages:write': row(404, 404, 403, 403, A, A, A, A),
  'ml:read': row(404, 404, A, A, A, A, A, A),
  'ml:write': row(404, 404, 403, 403, A, A, A, A),
};

/**
 * The MLflow endpoints, relative to `/api`; each is served at the project mount
 * (`/api/v4/projects/:id/ml/mlflow/api`) and at the root mounts (`/api`, `/ajax-api`).
 */
export const MLFLOW_ROUTE_ABILITIES: Record<string, Ability> = {
  'POST /2.0/mlflow/experiments/create': 'ml:write',
  'GET /2.0/mlflow/experiments/get': 'ml:read',
  'GET /2.0/mlflow/experiments/get-by-name': 'ml:read',
  'GET /2.0/mlflow/experiments/search': 'ml:read',
  'POST /2.0/mlflow/experiments/search': 'ml:read',
  'POST /2.0/mlflow/experiments/update': 'ml:write',
  'POST /2.0/mlflow/experiments/delete': 'ml:write',
  'POST /2.0/mlflow/experiments/restore': 'ml:write',
  'POST /2.0/mlflow/experiments/set-experiment-tag': 'ml:write',
  'POST /2.0/mlflow/experiments/delete-experiment-tag': 'ml:write',
  'POST /2.0/mlflow/runs/create': 'ml:write',
  'GET /2.0/mlflow/runs/get': 'ml:read',
  'POST /2.0/mlflow/runs/update': 'ml:write',
  'POST /2.0/mlflow/runs/delete': 'ml:write',
  'POST /2.0/mlflow/runs/restore': 'ml:write',
  'POST /2.0/mlflow/runs/log-metric': 'ml:write',
  'POST /2.0/mlflow/runs/log-parameter': 'ml:write',
  'POST /2.0/mlflow/runs/set-tag': 'ml:write',
  'POST /2.0/mlflow/runs/delete-tag': 'ml:write',
  'POST /2.0/mlflow/runs/log-batch': 'ml:write',
  'POST /2.0/mlflow/runs/log-inputs': 'ml:write',
  'POST /2.0/mlflow/runs/outputs': 'ml:write',
  'POST /2.0/mlflow/runs/search': 'ml:read',
  'GET /2.0/mlflow/metrics/get-history': 'ml:read',
  'GET /2.0/mlflow/metrics/get-history-bulk-interval': 'ml:read',
  'POST /2.0/mlflow/logged-models': 'ml:write',
  'GET /2.0/mlflow/logged-models/:model_id': 'ml:read',
  'PATCH /2.0/mlflow/logged-models/:model_id': 'ml:write',
  'DELETE /2.0/mlflow/logged-models/:model_id': 'ml:write',
  'POST /2.0/mlflow/logged-models/search': 'ml:read',
  'PATCH /2.0/mlflow/logged-models/:model_id/tags': 'ml:write',
  'DELETE /2.0/mlflow/logged-models/:model_id/tags/:tag_key': 'ml:write',
  'POST /2.0/mlflow/logged-models/:model_id/params': 'ml:write',
  'GET /3.0/mlflow/server-info': 'ml:read',
  'PUT /2.0/mlflow-artifacts/artifacts/*': 'ml:write',
  'GET /2.0/mlflow-artifacts/artifacts/*': 'ml:read',
  'GET /2.0/mlflow-artifacts/artifacts': 'ml:read',
  'DELETE /2.0/mlflow-artifacts/artifacts/*': 'ml:write',
  'POST /2.0/mlflow-artifacts/mpu/create/*': 'ml:write',
  'POST /2.0/mlflow-artifacts/mpu/complete/*': 'ml:write',
  'POST /2.0/mlflow-artifacts/mpu/abort/*': 'ml:write',
};

export const MLFLOW_MOUNTS = ['/api/v4/projects/:id/ml/mlflow/api', '/api', '/ajax-api'];
const CATCH_ALL_METHODS = ['DELETE', 'GET', 'HEAD', 'PATCH', 'POST', 'PUT', 'OPTIONS'];

function expandMlflow(): Record<string, Ability> {
  const out: Record<string, Ability> = {};
  for (const mount of MLFLOW_MOUNTS) {
    for (const [key, ability] of Object.entries(MLFLOW_ROUTE_ABILITIES)) {
      const [method, path] = key.split(' ') as [string, string];
      out[`${method} ${mount}${path}`] = ability;
      if (method === 'GET') out[`HEAD ${mount}${path}`] = ability;
    }
    // Unknown MLflow endpoints answer ENDPOINT_NOT_FOUND to anyone.
    for (const version of ['2.0', '3.0']) for (const method of CATCH_ALL_METHODS) out[`${method} ${mount}/${version}/mlflow/*`] = 'public';
  }
  return out;
}

/** Every route and the ability it must declare. */
export const ROUTE_ABILITIES: Record<string, Ability> = {
  ...expandMlflow(),
  'GET /-/health': 'public',
  'HEAD /-/health': 'public',
  'GET /-/readiness': 'public',
  'HEAD /-/readiness': 'public',
  'GET /-/metrics': 'public',
  'HEAD /-/metrics': 'public',
  'GET /api/v4/version': 'public',
  'HEAD /api/v4/version': 'public',
  'GET /api/v4/openapi.json': 'public',
  'HEAD /api/v4/openapi.json': 'public',

  'POST /api/v4/session': 'public',
  'GET /api/v4/session': 'user:self-read',
  'HEAD /api/v4/session': 'user:self-read',
  'DELETE /api/v4/session': 'user:self-write',
  'GET /api/v4/user': 'user:self-read',
  'HEAD /api/v4/user': 'user:self-read',
  'GET /api/v4/users': 'users:read',
  'HEAD /api/v4/users': 'users:read',
  'GET /api/v4/users/:user_id': 'users:read',
  'HEAD /api/v4/users/:user_id': 'users:read',
  'POST /api/v4/users': 'admin:write',
  'GET /api/v4/personal_access_tokens': 'user:self-read',
  'HEAD /api/v4/personal_access_tokens': 'user:self-read',
  'GET /api/v4/personal_access_tokens/self': 'user:self-read',
  'HEAD /api/v4/personal_access_tokens/self': 'user:self-read',
  'GET /api/v4/personal_access_tokens/:token_id': 'user:self-read',
  'HEAD /api/v4/personal_access_tokens/:token_id': 'user:self-read',
  'DELETE /api/v4/personal_access_tokens/self': 'user:self-write',
  'DELETE /api/v4/personal_access_tokens/:token_id': 'user:self-write',
  'POST /api/v4/user/personal_access_tokens': 'user:self-write',
  'POST /api/v4/users/:user_id/personal_access_tokens': 'admin:write',
  'GET /api/v4/projects/:id/access_tokens': 'access-tokens:read',
  'HEAD /api/v4/projects/:id/access_tokens': 'access-tokens:read',
  'GET /api/v4/projects/:id/access_tokens/:token_id': 'access-tokens:read',
  'HEAD /api/v4/projects/:id/access_tokens/:token_id': 'access-tokens:read',
  'POST /api/v4/projects/:id/access_tokens': 'access-tokens:manage',
  'DELETE /api/v4/projects/:id/access_tokens/:token_id': 'access-tokens:manage',

  'GET /api/v4/projects': 'projects:list',
  'HEAD /api/v4/projects': 'projects:list',
  'POST /api/v4/projects': 'projects:create',
  'GET /api/v4/projects/:id': 'project:read',
  'HEAD /api/v4/projects/:id': 'project:read',
  'PUT /api/v4/projects/:id': 'project:update',
  'DELETE /api/v4/projects/:id': 'project:delete',
  'GET /api/v4/projects/:id/members': 'members:read',
  'HEAD /api/v4/projects/:id/members': 'members:read',
  'GET /api/v4/projects/:id/members/:user_id': 'members:read',
  'HEAD /api/v4/projects/:id/members/:user_id': 'members:read',
  'POST /api/v4/projects/:id/members': 'members:manage',
  'PUT /api/v4/projects/:id/members/:user_id': 'members:manage',
  'DELETE /api/v4/projects/:id/members/:user_id': 'members:manage',

  'GET /api/v4/projects/:id/ml/experiments': 'ml:read',
  'HEAD /api/v4/projects/:id/ml/experiments': 'ml:read',
  'GET /api/v4/projects/:id/ml/experiments/:experiment_id': 'ml:read',
  'HEAD /api/v4/projects/:id/ml/experiments/:experiment_id': 'ml:read',
  'DELETE /api/v4/projects/:id/ml/experiments/:experiment_id': 'ml:write',
  'GET /api/v4/projects/:id/ml/runs': 'ml:read',
  'HEAD /api/v4/projects/:id/ml/runs': 'ml:read',
  'GET /api/v4/projects/:id/ml/runs/:run_id': 'ml:read',
  'HEAD /api/v4/projects/:id/ml/runs/:run_id': 'ml:read',
  'DELETE /api/v4/projects/:id/ml/runs/:run_id': 'ml:write',
  'GET /api/v4/projects/:id/ml/runs/:run_id/metrics/:key/history': 'ml:read',
  'HEAD /api/v4/projects/:id/ml/runs/:run_id/metrics/:key/history': 'ml:read',
  'GET /api/v4/projects/:id/ml/metrics/series': 'ml:read',
  'HEAD /api/v4/projects/:id/ml/metrics/series': 'ml:read',

  'PUT /api/v4/uploads/:upload_id/parts/:part_number': 'upload:part',
  'PUT /api/v4/projects/:id/packages/generic/:package_name/:package_version/:file_name': 'packages:write',
  'GET /api/v4/projects/:id/packages/generic/:package_name/:package_version/:file_name': 'packages:read',
  'HEAD /api/v4/projects/:id/packages/generic/:package_name/:package_version/:file_name': 'packages:read',
  'GET /api/v4/projects/:id/packages': 'packages:read',
  'HEAD /api/v4/projects/:id/packages': 'packages:read',
  'GET /api/v4/projects/:id/packages/:package_id': 'packages:read',
  'HEAD /api/v4/projects/:id/packages/:package_id': 'packages:read',
  'GET /api/v4/projects/:id/packages/:package_id/package_files': 'packages:read',
  'HEAD /api/v4/projects/:id/packages/:package_id/package_files': 'packages:read',
  'DELETE /api/v4/projects/:id/packages/:package_id': 'packages:write',
  'DELETE /api/v4/projects/:id/packages/:package_id/package_files/:package_file_id': 'packages:write',
  'GET /api/v4/projects/:id/storage': 'packages:read',
  'HEAD /api/v4/projects/:id/storage': 'packages:read',

  'GET /api/v4/audit_events': 'admin:read',
  'HEAD /api/v4/audit_events': 'admin:read',
  'GET /api/v4/projects/:id/audit_events': 'audit:read',
  'HEAD /api/v4/projects/:id/audit_events': 'audit:read',
};
