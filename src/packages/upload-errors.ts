import { defineErrors } from '../shared/errors.ts';

/** The refusals of a multipart upload of a package file; none of them changes anything stored. */
export const PackageUploadErrors = defineErrors('packages', {
  PART_SIZE_OUT_OF_RANGE: {
    kind: 'invalid',
    message: ({ min, max }: { min: number; max: number }) => `part_size must be between ${min} and ${max} bytes`,
  },
  TOO_MANY_PARTS: {
    kind: 'invalid',
    message: ({ parts, max }: { parts: number; max: number }) => `the file would take ${parts} parts, more than the ${max} allowed: use a larger part_size`,
  },
  PART_NUMBER_OUT_OF_RANGE: {
    kind: 'invalid',
    message: ({ count }: { count: number }) => `part_number must be between 1 and ${count}, the upload's number of parts`,
  },
  PART_LENGTH_WRONG: {
    kind: 'invalid',
    message: ({ partNumber, expected }: { partNumber: number; expected: number }) => `part ${partNumber} must be sent with Content-Length: ${expected}`,
  },
  PART_DIGEST_MALFORMED: {
    kind: 'invalid',
    message: 'X-Content-SHA256 takes 64 hex digits and X-Content-CRC32 takes 8',
  },
  PART_DIGEST_MISMATCH: {
    kind: 'invalid',
    message: ({ partNumber, actual }: { partNumber: number; actual: string }) => `part ${partNumber} arrived with SHA-256 ${actual}, not the one sent with it: send it again`,
  },
  PART_CRC32_MISMATCH: {
    kind: 'invalid',
    message: ({ partNumber, actual }: { partNumber: number; actual: string }) => `part ${partNumber} arrived with CRC-32 ${actual}, not the one sent with it: send it again`,
  },
  PARTS_MISSING: {
    kind: 'conflict',
    message: ({ missing }: { missing: number[] }) => `parts not uploaded yet: ${missing.slice(0, 20).join(', ')}${missing.length > 20 ? ', …' : ''}`,
  },
  FILE_DIGEST_MISSING: { kind: 'invalid', message: "completion needs the file's sha256, since the upload was created without it" },
  FILE_DIGEST_CONFLICT: {
    kind: 'invalid',
    message: ({ declared }: { declared: string }) => `the upload was created for SHA-256 ${declared}: complete it without sha256, or with that one`,
  },
  FILE_DIGEST_MISMATCH: {
    kind: 'invalid',
    message: ({ actual, declared }: { actual: string; declared: string }) => `the assembled file's SHA-256 is ${actual}, not the ${declared} declared: the upload is discarded`,
  },
});
