import { defineErrors } from './errors.ts';

type Detail = { detail: string };

/** How a request's own bytes can be unreadable, whatever route it went to: declared once for every domain. */
export const InputErrors = defineErrors('input', {
  MALFORMED_JSON: { kind: 'invalid', message: ({ detail }: { detail?: string }) => (detail === undefined ? 'malformed JSON in the request body' : `malformed JSON in the request body: ${detail}`) },
  JSON_TOO_DEEP: { kind: 'invalid', message: ({ maxDepth }: { maxDepth: number }) => `the JSON body nests arrays and objects deeper than ${maxDepth} levels` },
  INVALID_UTF8: { kind: 'invalid', message: 'the request body is not valid UTF-8' },
  MALFORMED_URL: { kind: 'invalid', message: ({ detail }: Detail) => detail },
  INVALID_DATE: { kind: 'invalid', message: ({ detail }: Detail) => detail },
  RANGE_NOT_SATISFIABLE: { kind: 'range_not_satisfiable', message: ({ header, size }: { header: string; size: number }) => `416 Range Not Satisfiable: ${header} of ${size} bytes` },
  MULTIPART_EXPECTED: { kind: 'invalid', message: ({ field }: { field: string }) => `the body must be multipart/form-data with the file in '${field}'` },
  MULTIPART_INVALID: { kind: 'invalid', message: ({ detail }: Detail) => `the multipart body cannot be read: ${detail}` },
  MULTIPART_NO_FILE: { kind: 'invalid', message: ({ field }: { field: string }) => `the multipart body has no file in '${field}'` },
});
