import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { CliError, ExitCode } from '../exit-codes.ts';
import type { OutputOption } from './account-commands.ts';
import { Api, enc } from './api.ts';
import { outputFormat, printOne, printRows, type Column } from './output.ts';
import { progressBar } from './progress.ts';
import { projectOf, resolveSettings, type ConnectionOptions } from './settings.ts';

export interface HfImportOptions extends ConnectionOptions, OutputOption {
  model: string;
  revision?: string;
  include?: string[];
  exclude?: string[];
  tokenEnv?: string;
  wait: boolean;
}

/** What the command reads of an import job (the server's ImportJob; the client speaks HTTP only and imports no server code). */
interface ImportJob {
  id: number;
  state: string;
  model_name: string;
  source: { commit?: string | null; resource?: string | null };
  progress: { files_done: number; files_total: number; bytes_done: number; bytes_total: number };
  version_id: number | null;
  error: string | null;
}

const JOB_COLUMNS: Column<ImportJob>[] = [
  { header: 'id', value: (j) => j.id },
  { header: 'state', value: (j) => j.state },
  { header: 'model', value: (j) => j.model_name },
  { header: 'commit', value: (j) => String(j.source.commit ?? '') },
  { header: 'files', value: (j) => `${j.progress.files_done}/${j.progress.files_total}` },
  { header: 'bytes', value: (j) => `${j.progress.bytes_done}/${j.progress.bytes_total}` },
  { header: 'version id', value: (j) => j.version_id ?? '' },
  { header: 'error', value: (j) => j.error ?? '' },
];

/** The token from the variable named, so that it is neither in the shell history nor in `ps`. */
function tokenFrom(variable: string | undefined): string | undefined {
  if (variable === undefined) return undefined;
  const value = process.env[variable];
  if (!value) throw new CliError(`--token-env ${variable}: the variable is not set`, ExitCode.usage);
  return value;
}

/** Polls a job to its end, its bytes on a progress bar. */
async function follow(api: Api, project: string, started: ImportJob, label: string): Promise<ImportJob> {
  let job = started;
  const bar = progressBar(label, job.progress.bytes_total);
  let shown = 0;
  while (job.state === 'queued' || job.state === 'running') {
    await sleep(1000);
    job = await api.get<ImportJob>(`/projects/${project}/ml/imports/${job.id}`);
    bar.advance(job.progress.bytes_done - shown);
    shown = job.progress.bytes_done;
  }
  bar.done();
  return job;
}

const unfinished = (job: ImportJob) => job.state === 'failed' || job.state === 'canceled';
const endingOf = (job: ImportJob) => `import ${job.id} ${job.state}${job.error ? `: ${job.error}` : ''}`;

/** `modelyard import hf REPO`: starts the import and, unless --no-wait, follows it to its end with a progress bar. */
export async function importHfCommand(repository: string, options: HfImportOptions): Promise<void> {
  const settings = resolveSettings(options);
  const api = new Api(settings);
  const project = enc(projectOf(settings));
  const format = outputFormat(options.output);
  const token = tokenFrom(options.tokenEnv);
  let job = await api.json<ImportJob>('POST', `/projects/${project}/ml/imports/huggingface`, {
    repository,
    model: options.model,
    ...(options.revision ? { revision: options.revision } : {}),
    ...(options.include?.length ? { include: options.include } : {}),
    ...(options.exclude?.length ? { exclude: options.exclude } : {}),
    ...(token ? { token } : {}),
  });
  if (options.wait) job = await follow(api, project, job, `${repository}@${String(job.source.commit ?? '').slice(0, 8)}`);
  printOne(format, job, JOB_COLUMNS);
  if (unfinished(job)) throw new CliError(endingOf(job), ExitCode.jobFailed);
}

export interface VertexImportOptions extends ConnectionOptions, OutputOption {
  googleProject: string;
  location: string;
  model?: string;
  list?: boolean;
  version?: string[];
  keyFile: string;
  aiplatformUrl?: string;
  storageUrl?: string;
  wait: boolean;
}

const VERTEX_COLUMNS: Column<ImportJob>[] = [
  { header: 'id', value: (j) => j.id },
  { header: 'state', value: (j) => j.state },
  { header: 'model', value: (j) => j.model_name },
  { header: 'vertex version', value: (j) => String(j.source.resource ?? '') },
  { header: 'files', value: (j) => `${j.progress.files_done}/${j.progress.files_total}` },
  { header: 'bytes', value: (j) => `${j.progress.bytes_done}/${j.progress.bytes_total}` },
  { header: 'version id', value: (j) => j.version_id ?? '' },
  { header: 'error', value: (j) => j.error ?? '' },
];

/** The key file's text, read here and sent once in the request body (never an argument of its own, so never in `ps`). */
function keyFrom(path: string): string {
  try {
    return fs.readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliError(`--key-file ${path}: ${(error as Error).message}`, ExitCode.usage);
  }
}

/**
 * `modelyard import vertex MODEL_ID`: imports versions of a Vertex AI model (each into a version
 * of its own) and, unless --no-wait, follows each job to its end with a progress bar.
 */
export async function importVertexCommand(vertexModel: string | undefined, options: VertexImportOptions): Promise<void> {
  const settings = resolveSettings(options);
  const api = new Api(settings);
  const project = enc(projectOf(settings));
  const format = outputFormat(options.output);
  if (options.list) return listVertex(api, project, vertexModel, options);
  if (vertexModel === undefined || !options.model) throw new CliError('an import needs the Vertex model id and --model (or --list to see what there is)', ExitCode.usage);
  let jobs = await api.json<ImportJob[]>('POST', `/projects/${project}/ml/imports/vertex`, {
    google_project: options.googleProject,
    location: options.location,
    vertex_model: vertexModel,
    model: options.model,
    key: keyFrom(options.keyFile),
    ...(options.version?.length ? { versions: options.version } : {}),
    ...(options.aiplatformUrl ? { aiplatform_url: options.aiplatformUrl } : {}),
    ...(options.storageUrl ? { storage_url: options.storageUrl } : {}),
  });
  if (options.wait) {
    const followed: ImportJob[] = [];
    for (const job of jobs) followed.push(await follow(api, project, job, String(job.source.resource ?? job.id).replace(/^.*\/models\//, '')));
    jobs = followed;
  }
  printRows(format, jobs, VERTEX_COLUMNS);
  const failed = jobs.filter(unfinished);
  if (failed.length > 0) throw new CliError(failed.map(endingOf).join('; '), ExitCode.jobFailed);
}

interface VertexModelEntry {
  vertex_model: string;
  version_id: string;
  version_aliases: string[];
  display_name: string;
  artifact_uri: string;
}

const VERTEX_MODEL_COLUMNS: Column<VertexModelEntry>[] = [
  { header: 'model', value: (m) => m.vertex_model },
  { header: 'version', value: (m) => m.version_id },
  { header: 'aliases', value: (m) => m.version_aliases.join(',') },
  { header: 'display name', value: (m) => m.display_name },
  { header: 'artifacts', value: (m) => m.artifact_uri },
];

/** `--list`: the location's models (at their default versions), or the versions of the model named, to pick from. */
async function listVertex(api: Api, project: string, vertexModel: string | undefined, options: VertexImportOptions): Promise<void> {
  const found = await api.json<VertexModelEntry[]>('POST', `/projects/${project}/ml/imports/vertex/models`, {
    google_project: options.googleProject,
    location: options.location,
    key: keyFrom(options.keyFile),
    ...(vertexModel === undefined ? {} : { vertex_model: vertexModel }),
    ...(options.aiplatformUrl ? { aiplatform_url: options.aiplatformUrl } : {}),
  });
  printRows(outputFormat(options.output), found, VERTEX_MODEL_COLUMNS);
}
