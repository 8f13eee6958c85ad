import { CliError, ExitCode } from '../exit-codes.ts';
import type { OutputOption } from './account-commands.ts';
import { Api, enc } from './api.ts';
import { outputFormat, printOne, type OutputFormat } from './output.ts';
import { projectOf, resolveSettings, type ConnectionOptions } from './settings.ts';

interface Pipeline {
  id: number;
  iid: number;
  status: string;
  ref: string;
  web_url?: string;
}

interface Job {
  id: number;
  name: string;
  stage: string;
  status: string;
}

export interface RunPipelineOptions extends ConnectionOptions, OutputOption {
  ref?: string;
  variable?: string[];
  watch?: boolean;
  interval?: string;
}

/** Statuses a pipeline does not leave by itself. `manual` waits for a person: watching it longer shows nothing new. */
const SETTLED = new Set(['success', 'failed', 'canceled', 'skipped', 'manual']);
const FAILED = new Set(['failed', 'canceled']);

function variablesOf(pairs: string[] = []): { key: string; value: string }[] {
  return pairs.map((pair) => {
    const at = pair.indexOf('=');
    if (at <= 0) throw new CliError(`--variable takes KEY=VALUE, got "${pair}"`, ExitCode.usage);
    return { key: pair.slice(0, at), value: pair.slice(at + 1) };
  });
}

function intervalOf(text: string | undefined): number {
  const seconds = Number(text ?? '2');
  if (!Number.isFinite(seconds) || seconds <= 0) throw new CliError(`--interval must be a positive number of seconds, got "${text}"`, ExitCode.usage);
  return seconds * 1000;
}

const PIPELINE_FIELDS = [
  { header: 'pipeline', value: (p: Pipeline) => `#${p.iid} (id ${p.id})` },
  { header: 'ref', value: (p: Pipeline) => p.ref },
  { header: 'status', value: (p: Pipeline) => p.status },
  { header: 'url', value: (p: Pipeline) => p.web_url },
];

/**
 * Follows a pipeline to its end: each job's log as it grows (the trace route's `Range: bytes=N-`),
 * under a heading when the output switches job. Logs go to standard output for a person, and to
 * standard error with --output json, where standard output holds only the final document.
 */
async function watch(api: Api, project: string, pipeline: Pipeline, format: OutputFormat, intervalMs: number): Promise<Pipeline> {
  const log = format === 'json' ? process.stderr : process.stdout;
  const offsets = new Map<number, number>();
  let lastJob: number | undefined;
  const drain = async (jobs: Job[]) => {
    for (const job of jobs) {
      if (job.status === 'created' || job.status === 'pending' || job.status === 'skipped' || job.status === 'manual') continue;
      const from = offsets.get(job.id) ?? 0;
      const res = await api.send('GET', `/projects/${project}/jobs/${job.id}/trace`, { headers: { range: `bytes=${from}-` } });
      const bytes = Buffer.from(await res.arrayBuffer());
      if (bytes.length === 0) continue;
      if (lastJob !== job.id) log.write(`\n== job ${job.name} (${job.stage}, id ${job.id}) ==\n`);
      lastJob = job.id;
      log.write(bytes);
      offsets.set(job.id, from + bytes.length);
    }
  };
  let current = pipeline;
  for (;;) {
    const jobs = await api.all<Job>(`/projects/${project}/pipelines/${current.id}/jobs`);
    await drain(jobs);
    if (SETTLED.has(current.status)) {
      for (const job of jobs) process.stderr.write(`${job.name}: ${job.status}\n`);
      return current;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    current = await api.get<Pipeline>(`/projects/${project}/pipelines/${current.id}`);
  }
}

/** `modelyard pipelines run [--watch]`: with --watch the exit code is the pipeline's outcome (7 when it failed or was canceled). */
export async function runPipelineCommand(options: RunPipelineOptions): Promise<void> {
  const format = outputFormat(options.output);
  const intervalMs = intervalOf(options.interval);
  const settings = resolveSettings(options);
  const api = new Api(settings);
  const project = enc(projectOf(settings));
  const variables = variablesOf(options.variable);
  const created = await api.json<Pipeline>('POST', `/projects/${project}/pipeline`, { ...(options.ref ? { ref: options.ref } : {}), ...(variables.length ? { variables } : {}) });
  if (!options.watch) {
    printOne(format, created, PIPELINE_FIELDS);
    return;
  }
  process.stderr.write(`pipeline #${created.iid} (id ${created.id}) created on ${created.ref}: watching\n`);
  const finished = await watch(api, project, created, format, intervalMs);
  printOne(format, finished, PIPELINE_FIELDS);
  if (FAILED.has(finished.status)) throw new CliError(`pipeline #${finished.iid} ${finished.status}`, ExitCode.jobFailed);
}
