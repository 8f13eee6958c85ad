import { defineErrors } from '../../shared/errors.ts';

export const VertexTargetErrors = defineErrors('vertex-target', {
  KEY_REQUIRED: {
    kind: 'invalid',
    message: "400 service_account_key is missing: a Vertex AI target needs a service-account key of its own, or the project's Google Cloud integration",
  },
  NO_KEY: { kind: 'unprocessable', message: "422 The environment uses the project's Google Cloud integration, which has been removed: set it again, or give the environment a key" },
  INVALID_STAGING_URI: { kind: 'invalid', message: '400 staging_uri must be a Cloud Storage folder, gs://bucket or gs://bucket/prefix' },
  INVALID_ENDPOINT_URL: { kind: 'invalid', message: ({ field, reason }: { field: string; reason: string }) => `400 ${field} is not usable: ${reason}` },
  REPLICAS_OUT_OF_ORDER: { kind: 'invalid', message: ({ min, max }: { min: number; max: number }) => `400 max_replicas (${max}) must be at least min_replicas (${min})` },
  NATIVE_ROUTING_ONLY: {
    kind: 'invalid',
    message: "400 A Vertex AI endpoint splits its traffic itself: set routing to 'native' (Modelyard's gateway cannot reach one deployed model of an endpoint)",
  },
  POLICY_NOT_SERVED: {
    kind: 'unprocessable',
    message: ({ policy }: { policy: string }) =>
      `422 Vertex AI cannot serve this ${policy} deployment: it has shadow variants, and a traffic split serves single, canary and A/B weights, not mirrored traffic`,
  },
  NO_CONTAINER: {
    kind: 'unprocessable',
    message: ({ flavors }: { flavors: string }) =>
      `422 Vertex AI has no prebuilt container for this model's MLflow flavors (${flavors}) and the version has no pushed image: build and push the version's image (a reference outside localhost/), or log it as sklearn, xgboost or tensorflow`,
  },
});
