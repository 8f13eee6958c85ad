import { defineErrors } from '../shared/errors.ts';

type VersionRef = { name: string; version: number };

/** The version archive's errors (the registry's; to join src/registry/errors.ts when that exists). */
export const VersionArchiveErrors = defineErrors('registry', {
  VERSION_ARCHIVE_EMPTY: {
    kind: 'not_found',
    message: ({ name, version }: VersionRef) => `Model version (name=${name}, version=${version}) has no files to archive: log the model to its run or upload files to the version`,
  },
  VERSION_ARCHIVE_TOO_MANY_FILES: {
    kind: 'unprocessable',
    message: ({ name, version, limit }: VersionRef & { limit: number }) => `Model version (name=${name}, version=${version}) has more than ${limit} files; an archive holds at most ${limit}`,
  },
  VERSION_SOURCE_NOT_ARCHIVABLE: {
    kind: 'unprocessable',
    message: ({ name, version, source }: VersionRef & { source: string }) =>
      `Model version (name=${name}, version=${version}) has its files at ${source.slice(0, 200)}, outside Modelyard's store, so they cannot be archived`,
  },
  ARCHIVE_LINK_INVALID: { kind: 'forbidden', message: '403 Forbidden: the archive link is invalid, or its environment no longer serves this version' },
});
