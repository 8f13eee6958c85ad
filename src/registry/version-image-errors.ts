import { defineErrors } from '../shared/errors.ts';

type VersionRef = { name: string; version: number };

/** Errors of version images: their build contexts and the images recorded on versions. */
export const VersionImageErrors = defineErrors('registry', {
  IMAGE_REQUIREMENTS_INVALID: {
    kind: 'unprocessable',
    message: ({ name, version, line, why }: VersionRef & { line: number; why: string }) =>
      `Model version (name=${name}, version=${version}): requirements.txt line ${line} ${why}; an image context installs requirement specifiers only, from its wheelhouse`,
  },
  IMAGE_ALREADY_RECORDED: {
    kind: 'conflict',
    message: ({ name, version, digest }: VersionRef & { digest: string }) => `Model version (name=${name}, version=${version}) already has the image ${digest} recorded`,
  },
});
