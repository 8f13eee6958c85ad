import { defineErrors, unauthenticated } from '../shared/errors.ts';

/**
 * The artifact store's named errors. Its other refusals are the stores' (src/storage/errors.ts:
 * unsafe paths, sizes, missing files and uploads).
 */
export const ArtifactsErrors = defineErrors('artifacts', {
  /** A file and a directory cannot share a name. */
  PATH_CLASH: {
    kind: 'conflict',
    message: (clash: { path: string; file: string } | { path: string; isDirectory: true }) =>
      'file' in clash ? `"${clash.file}" is a file, so "${clash.path}" cannot be created under it` : `"${clash.path}" is a directory`,
  },
});

/* Under generic codes, worded once. */
export const wrongUploadToken = () => unauthenticated('401 Unauthorized: wrong or missing upload token');

/** Why an artifact is not shown inline (html-preview-routes.ts): it still downloads as an attachment. */
export const ArtifactPreviewErrors = defineErrors('artifacts', {
  PREVIEW_NOT_HTML: { kind: 'invalid', message: ({ name }: { name: string }) => `"${name}" is not an HTML file (.html or .htm): only HTML artifacts have an inline preview; download it instead` },
  PREVIEW_TOO_LARGE: {
    kind: 'too_large',
    message: ({ size, maxBytes }: { size: number; maxBytes: number }) => `the file is ${size} bytes, over the preview limit of ${maxBytes} bytes: download it instead`,
  },
});
