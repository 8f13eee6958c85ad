/**
 * The MLflow protocol's contract: a request and a response message per endpoint, named as in
 * MLflow's service.proto, model_registry.proto and mlflow_artifacts.proto. Split by area in
 * contract/; this module is what the adapter and the web UI import.
 */
export * from './contract/entities.ts';
export * from './contract/tracking.ts';
export * from './contract/logged-models.ts';
export * from './contract/registry.ts';
export * from './contract/artifacts.ts';
export * from './contract/server.ts';
