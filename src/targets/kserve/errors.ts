import { defineErrors } from '../../shared/errors.ts';

export const KServeErrors = defineErrors('kserve', {
  CANARY_PERCENT_OUT_OF_RANGE: { kind: 'invalid', message: ({ percent }: { percent: number }) => `400 canaryTrafficPercent must be an integer from 0 to 100, not ${percent}` },
  NOTHING_TO_SERVE: { kind: 'invalid', message: '400 The deployment has no variant to serve' },
  CANARY_NEEDS_TWO_VARIANTS: { kind: 'invalid', message: '400 A canary needs a stable and a canary variant' },
  NO_MODEL_FORMAT: {
    kind: 'unprocessable',
    message: ({ flavors }: { flavors: string }) =>
      `422 KServe has no runtime for this model's MLflow flavors (${flavors}): it needs python_function, sklearn, xgboost, lightgbm, tensorflow, pytorch or onnx`,
  },
  KUBERNETES_API_FAILED: {
    kind: 'unavailable',
    message: ({ status, reason, message }: { status: number; reason: string; message: string }) => `503 The Kubernetes API answered ${status} ${reason}: ${message}`,
  },
  INVALID_CA: { kind: 'invalid', message: '400 ca_pem is not a PEM X.509 certificate' },
  TOKEN_REQUIRED: { kind: 'invalid', message: '400 token is missing: a Kubernetes target needs a bearer token the first time it is set' },
  INVALID_API_URL: { kind: 'invalid', message: ({ reason }: { reason: string }) => `400 api_url is not usable: ${reason}` },
});
