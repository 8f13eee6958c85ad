import { defineErrors } from '../../shared/errors.ts';

/**
 * Refusals around Google credentials. A key that cannot be one is the caller's 400; what
 * Google's token endpoint refuses (a revoked key, a clock off by more than an hour) names
 * Google's own error, so the person who gave the key can act on it.
 */
export const GoogleErrors = defineErrors('google', {
  GOOGLE_KEY_INVALID: { kind: 'invalid', message: ({ reason }: { reason: string }) => `The Google service account key is not usable: ${reason}` },
  GOOGLE_TOKEN_REFUSED: {
    kind: 'unprocessable',
    message: ({ tokenUri, account, error, description }: { tokenUri: string; account: string; error: string; description: string }) =>
      `Google's token endpoint ${tokenUri} refused the service account ${account}: ${error}${description ? ` (${description})` : ''}`,
  },
  GOOGLE_ENDPOINT_NOT_ALLOWED: {
    kind: 'unprocessable',
    message: ({ endpoint }: { endpoint: string }) => `${endpoint} is not reachable under the outbound address policy (MODELYARD_OUTBOUND_ALLOW); ask an administrator to allow it`,
  },
  GOOGLE_API_REFUSED: {
    kind: 'unprocessable',
    message: ({ endpoint, code, status, message }: { endpoint: string; code: number; status: string; message: string }) => `${endpoint} answered ${code} ${status}: ${message}`,
  },
  GOOGLE_NOT_FOUND: { kind: 'not_found', message: ({ endpoint, message }: { endpoint: string; message: string }) => `${endpoint} answered 404 NOT_FOUND: ${message}` },
  GOOGLE_BAD_ANSWER: { kind: 'unprocessable', message: ({ endpoint, detail }: { endpoint: string; detail: string }) => `${endpoint} did not answer as Google's API does: ${detail}` },
  GOOGLE_MD5_MISMATCH: {
    kind: 'unprocessable',
    message: ({ name, expected, actual }: { name: string; expected: string; actual: string }) => `${name}: its MD5 is ${actual}, Cloud Storage announced ${expected}; the file was refused`,
  },
  GOOGLE_OPERATION_FAILED: {
    kind: 'unprocessable',
    message: ({ operation, code, message }: { operation: string; code: number; message: string }) => `The long-running operation ${operation} failed with code ${code}: ${message}`,
  },
  GOOGLE_OPERATION_TIMEOUT: {
    kind: 'unavailable',
    message: ({ operation, seconds }: { operation: string; seconds: number }) => `The long-running operation ${operation} was not done after ${seconds} s`,
  },
  GOOGLE_TOKEN_UNAVAILABLE: { kind: 'unavailable', message: ({ tokenUri, detail }: { tokenUri: string; detail: string }) => `Google's token endpoint ${tokenUri} could not be reached: ${detail}` },
});
