/**
 * `modelyard deploy`: one deployment of a model version to an environment, from a pipeline job
 * (its job token; the server lets it deploy only to the environment its job names, and links
 * the job as the deployment's deployable) or from a person's shell (--url, --token, --project).
 * It says what it ships explicitly: nothing is guessed from the pipeline.
 */
import { CliError, ExitCode, exitCodeForStatus } from './exit-codes.ts';
import { readSettingsFile, settingsFile } from './client/settings.ts';
import { outputFormat } from './client/output.ts';

export interface DeployOptions {
  environment: string;
  model: string;
  version: string;
  policy?: string;
  reason?: string;
  url?: string;
  token?: string;
  project?: string;
  /** json: the deployment as the API answered it, for scripts; table (default): one line for people. */
  output?: string;
}

/** Where to call and with which credential: the job's variables inside a job, else the options. */
interface Target {
  apiUrl: string;
  projectId: string;
  header: Record<string, string>;
}

function targetOf(options: DeployOptions): Target {
  const job = process.env.CI_JOB_TOKEN;
  // Outside a job, what `modelyard login` saved fills in what the options and variables leave out.
  const saved = job ? {} : readSettingsFile(settingsFile());
  const token = options.token ?? process.env.MODELYARD_TOKEN ?? saved.token;
  if (token) {
    const base = options.url ?? process.env.MODELYARD_URL ?? process.env.CI_SERVER_URL ?? saved.url;
    const project = options.project ?? process.env.MODELYARD_PROJECT ?? process.env.CI_PROJECT_ID ?? saved.project;
    if (!base || !project) throw new CliError('--url and --project are needed with --token outside a pipeline job', ExitCode.usage);
    return { apiUrl: `${base.replace(/\/+$/, '')}/api/v4`, projectId: project, header: { 'private-token': token } };
  }
  const apiUrl = process.env.CI_API_V4_URL;
  const projectId = options.project ?? process.env.CI_PROJECT_ID;
  if (!job || !apiUrl || !projectId)
    throw new CliError('no credential: run inside a pipeline job (CI_JOB_TOKEN), modelyard login, or give --url, --project and --token (or MODELYARD_TOKEN)', ExitCode.auth);
  return { apiUrl, projectId, header: { 'job-token': job } };
}

function parsePolicy(text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CliError(`--policy is not JSON: ${text} (e.g. '{"kind":"canary","steps":[10,50,100]}')`, ExitCode.usage);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new CliError('--policy must be a JSON object with a "kind"', ExitCode.usage);
  return parsed as Record<string, unknown>;
}

interface Deployment {
  id: number;
  iid: number;
  status: string;
  reason: string;
  environment: { name: string };
  variants: { name: string; weight: number; role: string; version: { version: number; semver: string } }[];
}

export async function deployCommand(options: DeployOptions): Promise<void> {
  const target = targetOf(options);
  const body = {
    environment: options.environment,
    model: options.model,
    version: options.version,
    ...(options.policy ? { policy: parsePolicy(options.policy) } : {}),
    ...(options.reason ? { reason: options.reason } : {}),
  };
  const format = outputFormat(options.output);
  let res: Response;
  try {
    res = await fetch(`${target.apiUrl}/projects/${encodeURIComponent(target.projectId)}/deployments`, {
      method: 'POST',
      headers: { ...target.header, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new CliError(`cannot reach ${target.apiUrl}: ${cause?.code ?? cause?.message ?? (error as Error).message}`, ExitCode.server);
  }
  const text = await res.text();
  if (!res.ok) {
    let message = text.slice(0, 500);
    try {
      message = String((JSON.parse(text) as { message?: unknown }).message ?? message);
    } catch {
      // not JSON: the text as it came
    }
    throw new CliError(`deploy to ${options.environment} refused (${res.status}): ${message}`, exitCodeForStatus(res.status));
  }
  const deployment = JSON.parse(text) as Deployment;
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify(deployment, null, 2)}\n`);
    return;
  }
  const variants = deployment.variants.map((v) => `${v.name}=${options.model}@${v.version.semver} (${v.role === 'shadow' ? 'shadow' : `${v.weight}%`})`).join(', ');
  process.stdout.write(`deployment ${deployment.id} (#${deployment.iid}) to ${deployment.environment.name}: ${deployment.status}; ${variants}; ${deployment.reason}\n`);
  if (deployment.status === 'blocked') process.stdout.write('it waits for approval: see the environment page, or POST …/deployments/:id/approval\n');
}
