import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CliError, ExitCode } from '../exit-codes.ts';

/** Where the client commands send their requests, and as whom. */
export interface ClientSettings {
  url: string;
  token: string;
  /** The project commands use when they are given no --project. */
  project?: string;
}

export interface ConnectionOptions {
  url?: string;
  token?: string;
  project?: string;
}

/** `$XDG_CONFIG_HOME/modelyard/config.json`, else `~/.config/modelyard/config.json`. */
export function settingsFile(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(os.homedir(), '.config');
  return path.join(base, 'modelyard', 'config.json');
}

export function readSettingsFile(file = settingsFile()): Partial<ClientSettings> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return {};
  }
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    const pick = (key: string) => (typeof parsed[key] === 'string' ? (parsed[key] as string) : undefined);
    return { url: pick('url'), token: pick('token'), project: pick('project') };
  } catch {
    throw new CliError(`${file} is not JSON: run modelyard login again`, ExitCode.error);
  }
}

/**
 * Writes the settings readable by their owner only: the folder 0700 and the file 0600, set
 * again on an existing file, because the token in it is as good as the user's password.
 */
export function writeSettingsFile(settings: ClientSettings, file = settingsFile()): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
  fs.chmodSync(temporary, 0o600);
  fs.renameSync(temporary, file);
}

export function removeSettingsFile(file = settingsFile()): boolean {
  try {
    fs.unlinkSync(file);
    return true;
  } catch {
    return false;
  }
}

/** Options first, then MODELYARD_URL / MODELYARD_TOKEN / MODELYARD_PROJECT, then the file `modelyard login` wrote. */
export function resolveSettings(options: ConnectionOptions, env: NodeJS.ProcessEnv = process.env): ClientSettings {
  const saved = readSettingsFile(settingsFile(env));
  const url = options.url ?? env.MODELYARD_URL ?? saved.url;
  const token = options.token ?? env.MODELYARD_TOKEN ?? saved.token;
  if (!url || !token) throw new CliError('not logged in: run modelyard login --url URL, or set MODELYARD_URL and MODELYARD_TOKEN', ExitCode.auth);
  return { url: url.replace(/\/+$/, ''), token, project: options.project ?? env.MODELYARD_PROJECT ?? saved.project };
}

/** The project a project-scoped command works in. */
export function projectOf(settings: ClientSettings): string {
  if (!settings.project) throw new CliError('no project: give --project ID|PATH, set MODELYARD_PROJECT, or modelyard login --project', ExitCode.usage);
  return settings.project;
}
