import { KServeErrors } from './errors.ts';

/**
 * The InferenceService manifests (`serving.kserve.io/v1beta1`) that make a namespace serve an
 * environment's deployment. Pure: the same input gives the same manifests, so applying them
 * again changes nothing, and a rollback, which redeploys the previous versions and policy,
 * gives back the previous spec.
 */

export const KSERVE_API_VERSION = 'serving.kserve.io/v1beta1';
export const MODELYARD_VERSION_ANNOTATION = 'modelyard.io/version-id';
export const MODELYARD_STABLE_ANNOTATION = 'modelyard.io/stable-version-id';
export const MODELYARD_ENVIRONMENT_LABEL = 'modelyard.io/environment-id';

/** A registry version as KServe loads it. */
export interface ServedVersion {
  versionId: number;
  /** `modelFormat.name` (from the MLflow flavor: see modelFormatOf). */
  modelFormat: string;
  /** Where KServe's storage initializer fetches the files (`s3://…` or a signed `https://…/….tar.gz`). */
  storageUri: string;
}

export interface ManifestVariant {
  name: string;
  role: 'live' | 'shadow';
  weight: number;
  version: ServedVersion;
}

export interface ManifestInput {
  environmentId: number;
  /** The environment's slug: the InferenceServices' names start with it. */
  environmentSlug: string;
  namespace: string;
  routing: 'gateway' | 'native';
  policy: 'single' | 'canary' | 'ab' | 'shadow';
  variants: ManifestVariant[];
  /** The service account whose Secret holds the S3 credentials (only for `s3://` storage). */
  serviceAccountName?: string;
}

export interface InferenceService {
  apiVersion: typeof KSERVE_API_VERSION;
  kind: 'InferenceService';
  metadata: { name: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: {
    predictor: {
      serviceAccountName?: string;
      canaryTrafficPercent?: number;
      model: { modelFormat: { name: string }; storageUri: string; protocolVersion?: 'v2' };
    };
  };
}

/** KServe's CRD types canaryTrafficPercent as any integer: the range is Modelyard's to check. */
export function checkCanaryTrafficPercent(percent: number): number {
  if (!Number.isInteger(percent) || percent < 0 || percent > 100) throw KServeErrors.CANARY_PERCENT_OUT_OF_RANGE({ percent });
  return percent;
}

/** Kubernetes names (RFC 1123 labels): InferenceService names must also start with a letter. */
function serviceName(slug: string, suffix: string): string {
  const base = `${slug}${suffix}`
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z]+/, '');
  const name = `${base.length > 0 ? base : 'env'}`.slice(0, 63).replace(/-+$/, '');
  return name;
}

/** Whether KServe's traffic split serves this deployment (one InferenceService), or Modelyard's gateway does (one per version). */
export function servedNatively(input: Pick<ManifestInput, 'routing' | 'policy'>): boolean {
  return input.routing === 'native' && (input.policy === 'single' || input.policy === 'canary');
}

/** The name of the environment's InferenceService when KServe routes natively. */
export const nativeServiceName = (slug: string): string => serviceName(slug, '');
/** The name of a version's InferenceService when Modelyard's gateway routes. */
export const versionServiceName = (slug: string, versionId: number): string => serviceName(slug, `-v${versionId}`);

function manifest(input: ManifestInput, name: string, version: ServedVersion, annotations: Record<string, string>, canaryTrafficPercent?: number): InferenceService {
  const model = { modelFormat: { name: version.modelFormat }, storageUri: version.storageUri, ...(version.modelFormat === 'mlflow' ? { protocolVersion: 'v2' as const } : {}) };
  const account = input.serviceAccountName !== undefined && version.storageUri.startsWith('s3://') ? { serviceAccountName: input.serviceAccountName } : {};
  return {
    apiVersion: KSERVE_API_VERSION,
    kind: 'InferenceService',
    metadata: {
      name,
      namespace: input.namespace,
      labels: { 'app.kubernetes.io/managed-by': 'modelyard', [MODELYARD_ENVIRONMENT_LABEL]: String(input.environmentId) },
      annotations: { [MODELYARD_VERSION_ANNOTATION]: String(version.versionId), ...annotations },
    },
    spec: { predictor: { ...account, ...(canaryTrafficPercent === undefined ? {} : { canaryTrafficPercent }), model } },
  };
}

/**
 * Natively routed single and canary deployments: one InferenceService whose predictor is the
 * newest version; during a canary, `canaryTrafficPercent` sends that share to it and KServe
 * keeps the rest on the last revision that rolled out (the stable one). Otherwise one
 * InferenceService per version, each taking all of its own traffic, and Modelyard's gateway splits.
 */
export function inferenceServices(input: ManifestInput): InferenceService[] {
  if (input.variants.length === 0) throw KServeErrors.NOTHING_TO_SERVE();
  if (servedNatively(input)) {
    const live = input.variants.filter((v) => v.role === 'live');
    const name = nativeServiceName(input.environmentSlug);
    if (input.policy === 'canary') {
      const canary = live.find((v) => v.name === 'canary');
      const stable = live.find((v) => v.name === 'stable');
      if (!canary || !stable) throw KServeErrors.CANARY_NEEDS_TWO_VARIANTS();
      return [manifest(input, name, canary.version, { [MODELYARD_STABLE_ANNOTATION]: String(stable.version.versionId) }, checkCanaryTrafficPercent(canary.weight))];
    }
    const only = live.find((v) => v.weight > 0) ?? live[0];
    if (!only) throw KServeErrors.NOTHING_TO_SERVE();
    return [manifest(input, name, only.version, {})];
  }
  const seen = new Map<number, InferenceService>();
  for (const variant of input.variants) {
    if (!seen.has(variant.version.versionId)) seen.set(variant.version.versionId, manifest(input, versionServiceName(input.environmentSlug, variant.version.versionId), variant.version, {}));
  }
  return [...seen.values()];
}

/**
 * `modelFormat.name` from an MLflow model's flavors: every MLflow model with the
 * `python_function` flavor is served by KServe's MLServer runtime as `mlflow` (it loads any
 * pyfunc model directory, MLmodel included); a model with only a native flavor KServe has a
 * runtime of its own for gets that runtime's format.
 */
export function modelFormatOf(flavors: readonly string[]): string {
  if (flavors.includes('python_function')) return 'mlflow';
  const native = ['sklearn', 'xgboost', 'lightgbm', 'tensorflow', 'pytorch', 'onnx'].find((f) => flavors.includes(f));
  if (!native) throw KServeErrors.NO_MODEL_FORMAT({ flavors: flavors.join(', ') || 'none' });
  return native;
}
