import { defineErrors, notFound } from '../shared/errors.ts';

export const ProjectErrors = defineErrors('projects', {
  PROJECT_PATH_TAKEN: { kind: 'already_exists', message: ({ path }: { path: string }) => `path "${path}" has already been taken` },
  MEMBER_EXISTS: { kind: 'conflict', message: 'Member already exists' },
});

/*
 * Refusals under the generic NOT_FOUND code, worded once here because several places answer
 * them (the policy among them: an invisible project reads as a missing one).
 */
export const projectNotFound = () => notFound('404 Project');
export const memberNotFound = () => notFound('404 Member');
