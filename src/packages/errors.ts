import { notFound } from '../shared/errors.ts';

/*
 * The package registry answers only generic codes (NOT_FOUND, INVALID_INPUT) with GitLab's
 * texts; those more than one place answers are worded once here. The name, version and file
 * name rules word their own refusals where they are checked (packages-service.ts).
 */
export const packageNotFound = () => notFound('404 Package');
export const packageFileNotFound = () => notFound('404 Package file');
