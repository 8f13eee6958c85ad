import type { MlflowEndpoint } from './endpoint.ts';
import { LOGGED_MODEL_ENDPOINTS } from './logged-model-routes.ts';
import { REGISTRY_ENDPOINTS } from './registry-routes.ts';
import { EXPERIMENT_ENDPOINTS, RUN_ENDPOINTS } from './tracking-routes.ts';
import { UI_ENDPOINTS } from './ui-endpoints.ts';

/** Every endpoint of the MLflow REST API that Modelyard serves, relative to `/api` (and `/ajax-api`). */
export const MLFLOW_ENDPOINTS: MlflowEndpoint[] = [...EXPERIMENT_ENDPOINTS, ...RUN_ENDPOINTS, ...LOGGED_MODEL_ENDPOINTS, ...REGISTRY_ENDPOINTS, ...UI_ENDPOINTS];

/** An endpoint by its method and path (`GET /2.0/mlflow/runs/get`), for callers that reuse a handler. */
export function endpointAt(method: MlflowEndpoint['method'], path: string): MlflowEndpoint {
  const found = MLFLOW_ENDPOINTS.find((e) => e.method === method && e.path === path);
  if (!found) throw new Error(`no MLflow endpoint ${method} ${path}`);
  return found;
}
