import { AppError } from '../shared/errors.ts';

/** The runner protocol's refusals, in GitLab's words and status codes. */
export const invalidRunnerToken = () => new AppError('forbidden', 'INVALID_RUNNER_TOKEN', '403 Forbidden: invalid runner token');
export const invalidJobToken = () => new AppError('forbidden', 'INVALID_JOB_TOKEN', '403 Forbidden: invalid job token');
export const jobNotRunning = (status: string) => new AppError('forbidden', 'JOB_NOT_RUNNING', `403 Forbidden: the job is ${status}`, { jobStatus: status });
export const invalidRegistrationToken = () => new AppError('forbidden', 'INVALID_REGISTRATION_TOKEN', '403 Forbidden: invalid registration token');
export const artifactExists = (type: string) => new AppError('invalid', 'ARTIFACT_EXISTS', `another artifact of the same type (${type}) already exists for this job`);
export const artifactNotFound = () => new AppError('not_found', 'ARTIFACT_NOT_FOUND', '404 Artifact Not Found');
