import { CliError, ExitCode } from '../exit-codes.ts';
import { Api, enc } from './api.ts';
import { outputFormat, printOne, printRows, type Column } from './output.ts';
import { removeSettingsFile, resolveSettings, settingsFile, writeSettingsFile, type ConnectionOptions } from './settings.ts';

export interface OutputOption {
  output?: string;
}

interface User {
  id: number;
  username: string;
  name: string;
  email?: string | null;
  is_admin?: boolean;
}

interface Project {
  id: number;
  path: string;
  name: string;
  visibility: string;
  web_url: string;
}

const USER_FIELDS: Column<User>[] = [
  { header: 'username', value: (u) => u.username },
  { header: 'name', value: (u) => u.name },
  { header: 'id', value: (u) => u.id },
  { header: 'admin', value: (u) => (u.is_admin ? 'yes' : 'no') },
];

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

/**
 * `modelyard login --url URL`: checks the token against the server (GET /user) before keeping
 * it, so a typo fails here and not in the next command. The token comes from --token, from
 * standard input with --token-stdin (kept out of the shell history and the process list), or
 * from MODELYARD_TOKEN.
 */
export async function loginCommand(options: ConnectionOptions & OutputOption & { tokenStdin?: boolean }): Promise<void> {
  const format = outputFormat(options.output);
  const token = options.tokenStdin ? await readStdin() : (options.token ?? process.env.MODELYARD_TOKEN);
  if (!options.url) throw new CliError('--url is required', ExitCode.usage);
  if (!token) throw new CliError('give the token with --token-stdin (e.g. from a file), --token, or MODELYARD_TOKEN', ExitCode.usage);
  const settings = { url: options.url.replace(/\/+$/, ''), token, ...(options.project ? { project: options.project } : {}) };
  const user = await new Api(settings).get<User>('/user');
  writeSettingsFile(settings);
  if (format === 'json') process.stdout.write(`${JSON.stringify({ username: user.username, url: settings.url, config_file: settingsFile() }, null, 2)}\n`);
  else process.stdout.write(`logged in to ${settings.url} as ${user.username}; the token is kept in ${settingsFile()} (mode 0600)\n`);
}

export function logoutCommand(): void {
  const file = settingsFile();
  process.stdout.write(removeSettingsFile(file) ? `removed ${file}\n` : `not logged in (no ${file})\n`);
}

export async function whoamiCommand(options: ConnectionOptions & OutputOption): Promise<void> {
  const format = outputFormat(options.output);
  const api = new Api(resolveSettings(options));
  printOne(format, await api.get<User>('/user'), USER_FIELDS);
}

export async function projectsCommand(options: ConnectionOptions & OutputOption & { search?: string }): Promise<void> {
  const format = outputFormat(options.output);
  const api = new Api(resolveSettings(options));
  const projects = await api.all<Project>(`/projects${options.search ? `?search=${enc(options.search)}` : ''}`);
  printRows(format, projects, [
    { header: 'id', value: (p) => p.id },
    { header: 'path', value: (p) => p.path },
    { header: 'name', value: (p) => p.name },
    { header: 'visibility', value: (p) => p.visibility },
  ]);
}
