/** GitLab's failure reasons that a runner may report and `retry:when` can name. */
export const FAILURE_REASONS = ['unknown_failure', 'script_failure', 'api_failure', 'stuck_or_timeout_failure', 'runner_system_failure', 'job_execution_timeout'] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];
