import fs from 'node:fs';
import { CliError, ExitCode } from '../exit-codes.ts';
import type { OutputOption } from './account-commands.ts';
import { Api, enc } from './api.ts';
import { outputFormat, printOne, printRows, type Column } from './output.ts';
import { projectOf, resolveSettings, type ConnectionOptions } from './settings.ts';

interface Version {
  id: number;
  model_name: string;
  version: number;
  semver: string;
  status: string;
  approval_status: string;
  labels: string[];
  aliases: string[];
  mlflow_uri: string;
  created_at: number;
  card: unknown;
}

interface Model {
  id: number;
  name: string;
  labels: string[];
  latest_version: Version | null;
}

const when = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

const VERSION_COLUMNS: Column<Version>[] = [
  { header: 'version', value: (v) => v.version },
  { header: 'semver', value: (v) => v.semver },
  { header: 'status', value: (v) => v.status },
  { header: 'approval', value: (v) => v.approval_status },
  { header: 'labels', value: (v) => v.labels.join(',') },
  { header: 'aliases', value: (v) => v.aliases.join(',') },
  { header: 'created', value: (v) => when(v.created_at) },
];

/** The registry commands' shared start: who, where, and the API. */
function scoped(options: ConnectionOptions & OutputOption) {
  const settings = resolveSettings(options);
  return { api: new Api(settings), project: enc(projectOf(settings)), format: outputFormat(options.output) };
}

/** A model by name (what people type) to the id the API's paths take. */
export async function modelByName(api: Api, project: string, name: string): Promise<Model> {
  const models = await api.all<Model>(`/projects/${project}/ml/models?search=${enc(name)}`);
  const found = models.find((m) => m.name === name);
  if (!found) throw new CliError(`no model named ${name} in project ${decodeURIComponent(project)}`, ExitCode.notFound);
  return found;
}

/** A version number as the API's paths take it. */
export function versionNumber(text: string): number {
  if (!/^[1-9]\d{0,9}$/.test(text)) throw new CliError(`the version must be a version number such as 3, got "${text}"`, ExitCode.usage);
  return Number(text);
}

export async function versionPath(api: Api, project: string, model: string, version: string): Promise<string> {
  const number = versionNumber(version);
  return `/projects/${project}/ml/models/${(await modelByName(api, project, model)).id}/versions/${number}`;
}

export async function modelsCommand(options: ConnectionOptions & OutputOption): Promise<void> {
  const { api, project, format } = scoped(options);
  const models = await api.all<Model>(`/projects/${project}/ml/models`);
  printRows(format, models, [
    { header: 'id', value: (m) => m.id },
    { header: 'name', value: (m) => m.name },
    { header: 'latest', value: (m) => (m.latest_version ? `${m.latest_version.version} (${m.latest_version.semver})` : '') },
    { header: 'labels', value: (m) => m.labels.join(',') },
  ]);
}

export async function modelsCreateCommand(name: string, options: ConnectionOptions & OutputOption & { description?: string }): Promise<void> {
  const { api, project, format } = scoped(options);
  const created = await api.json<Model>('POST', `/projects/${project}/ml/models`, { name, ...(options.description ? { description: options.description } : {}) });
  printOne(format, created, [
    { header: 'id', value: (m) => m.id },
    { header: 'name', value: (m) => m.name },
  ]);
}

export async function versionsListCommand(model: string, options: ConnectionOptions & OutputOption): Promise<void> {
  const { api, project, format } = scoped(options);
  const { id } = await modelByName(api, project, model);
  printRows(format, await api.all<Version>(`/projects/${project}/ml/models/${id}/versions`), VERSION_COLUMNS);
}

export async function versionsShowCommand(model: string, version: string, options: ConnectionOptions & OutputOption): Promise<void> {
  const { api, project, format } = scoped(options);
  const shown = await api.get<Version>(await versionPath(api, project, model, version));
  printOne(format, shown, [{ header: 'model', value: (v) => v.model_name }, ...VERSION_COLUMNS, { header: 'uri', value: (v) => v.mlflow_uri }]);
}

export async function versionsCreateCommand(model: string, options: ConnectionOptions & OutputOption & { semver?: string; description?: string; runId?: string }): Promise<void> {
  const { api, project, format } = scoped(options);
  const { id } = await modelByName(api, project, model);
  const body = { ...(options.semver ? { semver: options.semver } : {}), ...(options.description ? { description: options.description } : {}), ...(options.runId ? { run_id: options.runId } : {}) };
  printOne(format, await api.json<Version>('POST', `/projects/${project}/ml/models/${id}/versions`, body), VERSION_COLUMNS);
}

export async function versionsApproveCommand(model: string, version: string, options: ConnectionOptions & OutputOption & { comment?: string; reject?: boolean }): Promise<void> {
  const { api, project, format } = scoped(options);
  const path = `${await versionPath(api, project, model, version)}/${options.reject ? 'reject' : 'approve'}`;
  await api.json('POST', path, options.comment ? { comment: options.comment } : {});
  printOne(format, await api.get<Version>(path.replace(/\/(approve|reject)$/, '')), VERSION_COLUMNS);
}

export async function versionsLabelCommand(model: string, version: string, label: string, options: ConnectionOptions & OutputOption & { remove?: boolean }): Promise<void> {
  const { api, project, format } = scoped(options);
  const path = await versionPath(api, project, model, version);
  if (options.remove) await api.send('DELETE', `${path}/labels/${enc(label)}`);
  else await api.json('POST', `${path}/labels`, { label });
  printOne(format, await api.get<Version>(path), VERSION_COLUMNS);
}

/** `--card FIELD=VALUE` (repeatable) and `--card-file PATH` (a JSON object of fields): the card fields to set; the server names the valid fields. */
function cardFields(pairs: string[] = [], file?: string): Record<string, string | null> | undefined {
  let fields: Record<string, string | null> = {};
  if (file !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (error) {
      throw new CliError(`--card-file ${file}: ${(error as Error).message}`, ExitCode.error);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new CliError(`--card-file ${file}: must hold a JSON object of card fields`, ExitCode.usage);
    fields = parsed as Record<string, string | null>;
  }
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at < 1) throw new CliError(`--card takes FIELD=VALUE, not ${JSON.stringify(pair)}`, ExitCode.usage);
    fields[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return Object.keys(fields).length > 0 ? fields : undefined;
}

/** `versions edit MODEL VERSION`: the card's description and its fields, all applied or none. */
export async function versionsEditCommand(model: string, version: string, options: ConnectionOptions & OutputOption & { description?: string; card?: string[]; cardFile?: string }): Promise<void> {
  const { api, project, format } = scoped(options);
  const card = cardFields(options.card, options.cardFile);
  if (options.description === undefined && card === undefined) throw new CliError('nothing to change: give --description, --card FIELD=VALUE or --card-file', ExitCode.usage);
  const path = await versionPath(api, project, model, version);
  printOne(format, await api.json<Version>('PUT', path, { ...(options.description === undefined ? {} : { description: options.description }), ...(card ? { card } : {}) }), VERSION_COLUMNS);
}
