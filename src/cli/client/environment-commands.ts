import { CliError, ExitCode } from '../exit-codes.ts';
import type { OutputOption } from './account-commands.ts';
import { Api, enc } from './api.ts';
import { outputFormat, printOne, printRows, type Column } from './output.ts';
import { projectOf, resolveSettings, type ConnectionOptions } from './settings.ts';

interface Variant {
  name: string;
  weight: number;
  role: string;
  model: { name: string };
  version: { version: number; semver: string };
}

interface Deployment {
  id: number;
  iid: number;
  status: string;
  reason: string;
  environment: { name: string };
  variants: Variant[];
}

interface EnvironmentDetail {
  id: number;
  name: string;
  state: string;
  current_deployment: Deployment | null;
}

const DEPLOYMENT_FIELDS: Column<Deployment>[] = [
  { header: 'deployment', value: (d) => `#${d.iid} (id ${d.id})` },
  { header: 'environment', value: (d) => d.environment.name },
  { header: 'status', value: (d) => d.status },
  { header: 'traffic', value: (d) => d.variants.map((v) => `${v.name}=${v.model.name}@${v.version.semver} ${v.role === 'shadow' ? 'shadow' : `${v.weight}%`}`).join(', ') },
  { header: 'reason', value: (d) => d.reason },
];

function scoped(options: ConnectionOptions & OutputOption) {
  const settings = resolveSettings(options);
  return { api: new Api(settings), project: enc(projectOf(settings)), format: outputFormat(options.output) };
}

/** An environment by its name (what people type) to the id the API's paths take. */
async function environmentByName(api: Api, project: string, name: string): Promise<EnvironmentDetail> {
  const found = (await api.get<{ id: number; name: string }[]>(`/projects/${project}/environments?name=${enc(name)}`)).find((e) => e.name === name);
  if (!found) throw new CliError(`no environment named ${name} in project ${decodeURIComponent(project)}`, ExitCode.notFound);
  return api.get<EnvironmentDetail>(`/projects/${project}/environments/${found.id}`);
}

/** `modelyard rollback ENV --reason TEXT`: the previous successful deployment's versions and policy again. */
export async function rollbackCommand(environment: string, options: ConnectionOptions & OutputOption & { reason: string }): Promise<void> {
  const { api, project, format } = scoped(options);
  const { id } = await environmentByName(api, project, environment);
  printOne(format, await api.json<Deployment>('POST', `/projects/${project}/environments/${id}/rollback`, { reason: options.reason }), DEPLOYMENT_FIELDS);
}

/** `modelyard traffic ENV [--promote]`: how an environment's traffic is split now; --promote takes a canary to its next step. */
export async function trafficCommand(environment: string, options: ConnectionOptions & OutputOption & { promote?: boolean; reason?: string }): Promise<void> {
  const { api, project, format } = scoped(options);
  const detail = await environmentByName(api, project, environment);
  if (options.promote) {
    const promoted = await api.json<Deployment>('POST', `/projects/${project}/environments/${detail.id}/promote`, options.reason ? { reason: options.reason } : {});
    printOne(format, promoted, DEPLOYMENT_FIELDS);
    return;
  }
  const variants = detail.current_deployment?.variants ?? [];
  printRows(format, variants, [
    { header: 'variant', value: (v) => v.name },
    { header: 'model', value: (v) => v.model.name },
    { header: 'version', value: (v) => `${v.version.version} (${v.version.semver})` },
    { header: 'role', value: (v) => v.role },
    { header: 'weight', value: (v) => (v.role === 'shadow' ? 'shadow' : `${v.weight}%`) },
  ]);
}
