import { ApiError } from './api.ts';
import { apiPaths } from './api-paths.ts';
export { formatBytes, formatDuration } from './format.ts';

/** The CI shapes the pipelines API answers (src/pipelines/presenters.ts), as the UI reads them. */
export type CiStatus = 'created' | 'pending' | 'running' | 'success' | 'failed' | 'canceled' | 'skipped' | 'manual';

export const CI_STATUSES: CiStatus[] = ['created', 'pending', 'running', 'success', 'failed', 'canceled', 'skipped', 'manual'];

export interface Pipeline {
  id: number;
  iid: number;
  project_id: number;
  status: CiStatus;
  source: string;
  ref: string;
  sha: string | null;
  commit_title: string | null;
  yaml_errors: string | null;
  yaml_error_details: { line: number; column: number; message: string }[];
  user: { id: number } | null;
  model_version_id: number | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  duration: number | null;
}

/** One archive of a job, as GitLab lists them: the `paths` zip, a report. */
export interface JobArtifact {
  file_type: string;
  file_format: string | null;
  filename: string;
  size: number;
}

/** What the server read out of a job's reports. */
export interface JobReports {
  junit?: {
    total: number;
    success: number;
    failed: number;
    error: number;
    skipped: number;
    time: number;
    failures: { suite: string; name: string; classname: string; status: string; message?: string }[];
    unread?: string;
  };
  dotenv?: { variables: Record<string, string> };
}

export interface Job {
  id: number;
  name: string;
  stage: string;
  status: CiStatus;
  when: string;
  allow_failure: boolean;
  attempt: number;
  retried: boolean;
  failure_reason: string | null;
  exit_code: number | null;
  needs: string[];
  needs_declared: boolean;
  tag_list: string[];
  ref: string;
  created_at: string;
  queued_at: string | null;
  started_at: string | null;
  finished_at: string | null;
  duration: number | null;
  queued_duration: number | null;
  commit: { id: string; short_id: string; title: string | null } | null;
  pipeline: { id: number; iid: number; ref: string; sha: string | null; status: CiStatus; source: string };
  runner: { id: number; description: string; runner_type: string } | null;
  artifacts: JobArtifact[];
  artifacts_file: { filename: string; size: number } | null;
  artifacts_expire_at: string | null;
  reports?: JobReports;
  trace_size: number;
}

export interface Gpu {
  name: string;
  memory_mib?: number;
  driver?: string;
}

export interface Runner {
  id: number;
  description: string;
  runner_type: 'instance_type' | 'project_type';
  project_id: number | null;
  tag_list: string[];
  run_untagged: boolean;
  paused: boolean;
  status: 'online' | 'offline' | 'never_contacted' | 'paused' | string;
  contacted_at: string | null;
  version: string | null;
  platform: string | null;
  architecture: string | null;
  gpus: Gpu[];
}

export interface Variable {
  key: string;
  value: string;
}

/** Statuses a pipeline or job can still leave on its own: pages showing one keep refreshing. */
export function isUnfinished(status: CiStatus): boolean {
  return status === 'created' || status === 'pending' || status === 'running';
}

/** A job whose runner may still be writing to its log. */
export function isLive(status: CiStatus): boolean {
  return status === 'pending' || status === 'running';
}

export function formatIso(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString() : '';
}

/** Variables as the API takes them: rows without a key are the form's empty spare rows. */
export function filledVariables(rows: Variable[]): Variable[] {
  return rows.map((r) => ({ key: r.key.trim(), value: r.value })).filter((r) => r.key !== '');
}

/** What to tell someone whose action the server refused; a 403 is a missing role, not a fault. */
export function actionError(e: unknown, what: string, needs = 'at least the developer role'): string {
  if (e instanceof ApiError && e.status === 403) return `You may not ${what} here: it takes ${needs}.`;
  return e instanceof Error ? e.message : String(e);
}

/** The job's whole artifacts archive (zip). */
export function archiveUrl(projectId: number, jobId: number): string {
  return apiPaths.project(projectId).job(jobId).artifacts;
}

/** One file out of the job's artifacts archive. */
export function artifactUrl(projectId: number, jobId: number, filename: string): string {
  return apiPaths.project(projectId).job(jobId).artifactFile(filename);
}
