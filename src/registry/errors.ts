import { defineErrors } from '../shared/errors.ts';

/**
 * The model registry's named errors. Several messages are MLflow's own words (the MLflow client
 * and its users match on them), so their texts stay exactly as they are.
 */
export const RegistryErrors = defineErrors('registry', {
  /** Looked up by name (MLflow's wording) or by the native API's id. */
  MODEL_NOT_FOUND: {
    kind: 'not_found',
    message: (model: { name: string } | { id: number }) => ('name' in model ? `Registered Model with name=${model.name} not found` : `Registered model ${model.id} not found`),
  },
  MODEL_EXISTS: { kind: 'already_exists', message: ({ name }: { name: string }) => `Registered Model (name=${name}) already exists.` },
  MODEL_PROTECTED: {
    kind: 'conflict',
    message: ({ name, versions }: { name: string; versions: number[] }) =>
      `Registered Model ${name} has approved versions (${versions.join(', ')}); delete them first, or force the deletion as a maintainer.`,
  },
  /** Looked up by model name and number (MLflow's wording) or by the version's id. */
  VERSION_NOT_FOUND: {
    kind: 'not_found',
    message: (version: { name: string; version: number | string } | { id: number }) =>
      'name' in version ? `Model Version (name=${version.name}, version=${version.version}) not found` : `Model version ${version.id} not found`,
  },
  /** model-versions/create's refusals of a source, in MLflow's words where MLflow refuses the same. */
  LOCAL_VERSION_SOURCE: {
    kind: 'invalid',
    message: ({ source }: { source: string }) =>
      `Invalid model version source: '${source.slice(0, 500)}'. A local path cannot be a model version source: the server does not read its own files for a client. Use the URI the files were logged under (runs:/<run_id>/<path>, models:/<model_id> or mlflow-artifacts:/<path>).`,
  },
  RELATIVE_VERSION_SOURCE: {
    kind: 'invalid',
    message: ({ source }: { source: string }) =>
      `Invalid model version source: '${source.slice(0, 500)}'. If supplying a source as an http, https, local file path, ftp, objectstore, or mlflow-artifacts uri, an absolute path must be provided without relative path references present. Please provide an absolute path.`,
  },
  HOST_ADDRESSED_VERSION_SOURCE: {
    kind: 'invalid',
    message: ({ scheme }: { scheme: string }) =>
      `'source' cannot use the '${scheme}' scheme: the '${scheme}' scheme addresses a host other than the tracking server's configured artifact storage, so the server would connect to the host named in the URI.`,
  },
  VERSION_SOURCE_NOT_OF: {
    kind: 'invalid',
    message: ({ source, field }: { source: string; field: 'run_id' | 'model_id' }) =>
      `Invalid model version source: '${source.slice(0, 500)}'. The ${field} request parameter must identify the resource that contains the source.`,
  },
  INVALID_SEMVER: {
    kind: 'invalid',
    message: ({ text }: { text: string }) => `"${text}" is not a semantic version (MAJOR.MINOR.PATCH or MAJOR.MINOR.PATCH-prerelease)`,
  },
  SEMVER_TAKEN: {
    kind: 'already_exists',
    message: ({ model, semver }: { model: string; semver: string }) => `Model ${model} already has a version with semantic version ${semver}; choose another one.`,
  },
  ALIAS_NOT_FOUND: { kind: 'not_found', message: ({ alias }: { alias: string }) => `Registered model alias ${alias} not found.` },
  ALIAS_PROTECTED: { kind: 'forbidden', message: ({ alias }: { alias: string }) => `403 Forbidden: the alias "${alias}" is protected; only maintainers can move it` },
  LABEL_NOT_FOUND: { kind: 'not_found', message: ({ label }: { label: string }) => `No label '${label}'` },
  APPROVAL_PENDING: {
    kind: 'conflict',
    message: ({ model, version }: { model: string; version: number }) => `Version ${version} of ${model} already has a pending approval request`,
  },
  ALREADY_APPROVED: { kind: 'conflict', message: ({ model, version }: { model: string; version: number }) => `Version ${version} of ${model} is already approved` },
  NO_PENDING_REQUEST: {
    kind: 'conflict',
    message: ({ model, version }: { model: string; version: number }) => `Version ${version} of ${model} has no pending approval request`,
  },
  APPROVER_ROLE: { kind: 'forbidden', message: '403 Forbidden: only maintainers can approve or reject a model version' },
  SELF_APPROVAL: { kind: 'forbidden', message: '403 Forbidden: the requester of an approval cannot decide it' },
  ALREADY_DECIDED: { kind: 'conflict', message: 'You have already decided on this request' },
});
