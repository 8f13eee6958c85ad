import path from 'node:path';
import { parse as parseConnectionString } from 'pg-connection-string';
import { LOCAL_NETWORK_ENTRIES, LOCAL_PATHS_ENTRY, mergeAllowLists, parseAllowList, type AllowList } from '../outbound/allow-list.ts';
import { parseTrustedProxies, type TrustedProxies } from '../http/client-address.ts';
import { parseSecretKeyText, type SecretKey } from '../secrets/secret-key.ts';
import { readSsoConfig, SsoSettingError, type SsoConfig } from '../auth/sso/sso-config.ts';
import { ConfigError } from './config-error.ts';

export { ConfigError };

/**
 * Configuration comes only from environment variables so that the same build runs on a
 * laptop and in a container. Every problem is reported as one line naming the variable,
 * because an operator reads it in a terminal or a pod log.
 */
export interface Config {
  host: string;
  port: number;
  dataDir: string;
  database: DatabaseConfig;
  artifactsUrl: string;
  publicUrl: string;
  logLevel: LogLevel;
  defaultProject: string;
  initialAdminToken: string | undefined;
  maxUploadBytes: number;
  /** Exceptions to the outbound address policy (MODELYARD_OUTBOUND_ALLOW and its old aliases). */
  outboundAllow: AllowList;
  /**
   * MODELYARD_SECRET_KEY: the keys stored credentials are sealed with, the first one sealing.
   * Unset: the key file in the data folder (src/secrets/keyring-file.ts).
   */
  secretKeys: SecretKey[] | undefined;
  ci: CiConfig;
  serving: ServingConfig;
  imports: ImportsConfig;
  /** Problems that do not stop start-up (deprecated variables); logged once when serving. */
  warnings: string[];
  connections: ConnectionsConfig;
  metrics: MetricsConfig;
  /** Single sign-on: OpenID Connect providers, their group links, and whether passwords sign in. */
  sso: SsoConfig;
  /** Test suites: fail any JSON answer its route's response schema refuses (src/http/plugins/response-check.ts). */
  checkResponses: boolean;
}

export interface ConnectionsConfig {
  /** Proxies whose `X-Forwarded-For` names the client (empty: the TCP peer is the client). */
  trustedProxies: TrustedProxies;
  /** A client that sends nothing of its request's headers or body for this long is dropped. */
  requestIdleTimeoutMs: number;
  /** Open connections one TCP peer may hold (trusted proxies are not counted); 0: no limit. */
  maxConnectionsPerAddress: number;
}

export interface MetricsConfig {
  /** A bearer token that lets a scraper read `/-/metrics` from anywhere. */
  token: string | undefined;
  /** A listener of its own that serves only `/-/metrics`. */
  address: { host: string; port: number } | undefined;
}

export interface CiConfig {
  /** A running job whose runner has not called for this long is failed (the runner is gone). */
  heartbeatTimeoutMs: number;
  /** A job handed to a runner that has not confirmed it (first report) for this long goes back to the queue. */
  pickupTimeoutMs: number;
  /** The instance-wide runner registration token (GitLab's legacy registration), if set. */
  runnerRegistrationToken: string | undefined;
  /** Bare mirrors of linked git repositories, read for pipeline files. */
  gitCacheDir: string;
}

export interface ImportsConfig {
  /** MODELYARD_HF_ENDPOINT: the Hugging Face Hub, or a Hub-compatible mirror, that imports read from. */
  hfEndpoint: string;
  /** A replica's hold on an import job; a job whose replica died is resumed after it runs out. */
  leaseMs: number;
}

export interface ServingConfig {
  /**
   * How long the gateway reuses what it read (routes, endpoints, serve-token verdicts): a
   * change made on another replica (a deployment, a revoked token) reaches it within this.
   */
  cacheMs: number;
  /** An agent that has not called for this long is not trusted: its instances are skipped. */
  agentStaleMs: number;
  /** How often canary gates are evaluated (by one replica at a time). */
  gateIntervalMs: number;
}

export type DatabaseConfig = { dialect: 'sqlite'; file: string } | { dialect: 'postgres'; url: string };

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export const MIN_INITIAL_ADMIN_TOKEN_LENGTH = 20;

type Env = Record<string, string | undefined>;

function read(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function readPort(env: Env): number {
  const raw = read(env, 'MODELYARD_PORT');
  if (raw === undefined) return 8080;
  if (!/^\d+$/.test(raw) || Number(raw) > 65535) {
    throw new ConfigError('MODELYARD_PORT', `must be a whole number from 0 to 65535, got "${raw}"`);
  }
  return Number(raw);
}

/**
 * A URL the driver connects with: a host and port, or libpq's form for a Unix socket on the same
 * machine, `postgres://user@/db?host=/var/run/postgresql`. That one is no WHATWG URL (a user
 * without a host), so it is read as the driver itself reads it.
 */
function isPostgresUrl(raw: string): boolean {
  try {
    new URL(raw);
    return true;
  } catch {
    try {
      return parseConnectionString(raw).host?.startsWith('/') === true;
    } catch {
      return false;
    }
  }
}

function readDatabase(env: Env, dataDir: string): DatabaseConfig {
  const raw = read(env, 'MODELYARD_DATABASE_URL');
  if (raw === undefined) return { dialect: 'sqlite', file: path.join(dataDir, 'modelyard.db') };
  if (raw.startsWith('postgres://') || raw.startsWith('postgresql://')) {
    if (!isPostgresUrl(raw)) throw new ConfigError('MODELYARD_DATABASE_URL', 'is not a valid postgres:// URL (a Unix socket on this machine: postgres://user@/db?host=/var/run/postgresql)');
    return { dialect: 'postgres', url: raw };
  }
  if (raw.startsWith('sqlite:')) {
    const file = raw.replace(/^sqlite:(\/\/)?/, '');
    if (file === '') throw new ConfigError('MODELYARD_DATABASE_URL', 'sqlite: URL names no file');
    return { dialect: 'sqlite', file: path.resolve(file) };
  }
  throw new ConfigError('MODELYARD_DATABASE_URL', `must start with postgres://, postgresql:// or sqlite:, got "${raw.slice(0, 40)}"`);
}

function readArtifactsUrl(env: Env, dataDir: string): string {
  const raw = read(env, 'MODELYARD_ARTIFACTS_URL');
  if (raw === undefined) return `file://${path.join(dataDir, 'artifacts')}`;
  if (raw.startsWith('s3://')) {
    if (!/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/.test(raw)) {
      throw new ConfigError('MODELYARD_ARTIFACTS_URL', `is not a valid s3://bucket[/prefix] URL: "${raw}"`);
    }
    return raw;
  }
  if (raw.startsWith('file://')) return `file://${path.resolve(raw.slice('file://'.length))}`;
  if (raw.includes('://')) {
    throw new ConfigError('MODELYARD_ARTIFACTS_URL', `must be a folder, file:// or s3:// URL, got "${raw}"`);
  }
  return `file://${path.resolve(raw)}`;
}

function readPublicUrl(env: Env, host: string, port: number): string {
  const raw = read(env, 'MODELYARD_PUBLIC_URL');
  if (raw === undefined) return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('MODELYARD_PUBLIC_URL', `is not a URL: "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError('MODELYARD_PUBLIC_URL', 'must be an http:// or https:// URL');
  }
  return raw.replace(/\/+$/, '');
}

function readByteSize(env: Env, name: string, fallback: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const match = /^(\d+)\s*([kmgt]i?b?)?$/i.exec(raw);
  if (!match) throw new ConfigError(name, `must be a size such as 10GiB or 500MB, got "${raw}"`);
  const unit = (match[2] ?? '').toLowerCase().replace(/i?b$/, '');
  const factor = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[unit] ?? 1;
  return Number(match[1]) * factor;
}

function readHfEndpoint(env: Env): string {
  const raw = read(env, 'MODELYARD_HF_ENDPOINT') ?? 'https://huggingface.co';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('MODELYARD_HF_ENDPOINT', `is not a URL: "${raw}"`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password || url.search || url.hash) {
    throw new ConfigError('MODELYARD_HF_ENDPOINT', 'must be an http:// or https:// URL without credentials, query or fragment');
  }
  return raw.replace(/\/+$/, '');
}

function readSeconds(env: Env, name: string, fallback: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+(\.\d+)?$/.test(raw) || Number(raw) <= 0) throw new ConfigError(name, `must be a positive number of seconds, got "${raw}"`);
  return Number(raw);
}

/** Shorter than the heartbeat timeout, or an unconfirmed job would be failed before it could go back to the queue. */
function readPickupTimeout(env: Env): number {
  const seconds = readSeconds(env, 'MODELYARD_CI_PICKUP_TIMEOUT', 60);
  const heartbeat = readSeconds(env, 'MODELYARD_CI_HEARTBEAT_TIMEOUT', 120);
  if (seconds >= heartbeat) throw new ConfigError('MODELYARD_CI_PICKUP_TIMEOUT', `must be shorter than MODELYARD_CI_HEARTBEAT_TIMEOUT (${heartbeat} s), got "${seconds}"`);
  return seconds * 1000;
}

function readBoolean(env: Env, name: string): boolean {
  const raw = read(env, name);
  if (raw === undefined) return false;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

function readRegistrationToken(env: Env): string | undefined {
  const raw = read(env, 'MODELYARD_RUNNER_REGISTRATION_TOKEN');
  if (raw !== undefined && (raw.length < MIN_INITIAL_ADMIN_TOKEN_LENGTH || !/^[\x21-\x7e]+$/.test(raw))) {
    throw new ConfigError('MODELYARD_RUNNER_REGISTRATION_TOKEN', `must be at least ${MIN_INITIAL_ADMIN_TOKEN_LENGTH} printable characters without spaces`);
  }
  return raw;
}

const OUTBOUND_ALLOW = 'MODELYARD_OUTBOUND_ALLOW';

/**
 * The allow-list, plus what the two booleans it replaced used to open; they keep working for
 * one release and say, each time the server starts, what to write instead.
 */
function readOutboundAllow(env: Env, warnings: string[]): AllowList {
  let list: AllowList;
  try {
    list = parseAllowList(read(env, OUTBOUND_ALLOW) ?? '');
  } catch (error) {
    throw new ConfigError(OUTBOUND_ALLOW, (error as Error).message);
  }
  const aliases: [string, readonly string[]][] = [
    ['MODELYARD_ALLOW_LOCAL_WEBHOOKS', LOCAL_NETWORK_ENTRIES],
    ['MODELYARD_CI_ALLOW_LOCAL_REPOSITORIES', [...LOCAL_NETWORK_ENTRIES, LOCAL_PATHS_ENTRY]],
  ];
  for (const [variable, entries] of aliases) {
    if (!readBoolean(env, variable)) continue;
    list = mergeAllowLists(list, parseAllowList(entries.join(',')));
    warnings.push(`${variable} is deprecated and will be removed in the next release; set ${OUTBOUND_ALLOW}=${entries.join(',')} instead (it applies to every outbound connection)`);
  }
  return list;
}

function readCount(env: Env, name: string, fallback: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) throw new ConfigError(name, `must be a whole number (0 for no limit), got "${raw}"`);
  return Number(raw);
}

function readTrustedProxies(env: Env): TrustedProxies {
  const raw = read(env, 'MODELYARD_TRUSTED_PROXIES');
  if (raw === undefined) return [];
  try {
    return parseTrustedProxies(raw);
  } catch (error) {
    throw new ConfigError('MODELYARD_TRUSTED_PROXIES', `${(error as Error).message}; give addresses or CIDR ranges separated by commas`);
  }
}

function readMetricsToken(env: Env): string | undefined {
  const raw = read(env, 'MODELYARD_METRICS_TOKEN');
  if (raw !== undefined && (raw.length < MIN_INITIAL_ADMIN_TOKEN_LENGTH || !/^[\x21-\x7e]+$/.test(raw))) {
    throw new ConfigError('MODELYARD_METRICS_TOKEN', `must be at least ${MIN_INITIAL_ADMIN_TOKEN_LENGTH} printable characters without spaces`);
  }
  return raw;
}

function readMetricsAddress(env: Env): MetricsConfig['address'] {
  const raw = read(env, 'MODELYARD_METRICS_ADDRESS');
  if (raw === undefined) return undefined;
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]+)):(\d+)$/.exec(raw);
  if (!match || Number(match[3]) > 65535) {
    throw new ConfigError('MODELYARD_METRICS_ADDRESS', `must be host:port such as 127.0.0.1:9464 or [::1]:9464, got "${raw}"`);
  }
  return { host: match[1] ?? match[2]!, port: Number(match[3]) };
}

function readSecretKeys(env: Env): SecretKey[] | undefined {
  const raw = read(env, 'MODELYARD_SECRET_KEY');
  if (raw === undefined) return undefined;
  const keys = raw.split(',').map((text) => parseSecretKeyText(text));
  // The value is a secret: the message says what is wrong, never what was given.
  if (keys.some((k) => k === null)) {
    throw new ConfigError('MODELYARD_SECRET_KEY', 'must be 32 random bytes in base64 (openssl rand -base64 32), several separated by commas, the first one sealing');
  }
  return keys as SecretKey[];
}

function readSso(env: Env): SsoConfig {
  const passwordSignIn = read(env, 'MODELYARD_PASSWORD_SIGN_IN') === undefined ? true : readBoolean(env, 'MODELYARD_PASSWORD_SIGN_IN');
  try {
    return readSsoConfig(read(env, 'MODELYARD_OIDC_PROVIDERS'), read(env, 'MODELYARD_OIDC_GROUP_LINKS'), passwordSignIn);
  } catch (e) {
    if (e instanceof SsoSettingError) throw new ConfigError(e.variable, e.message);
    throw e;
  }
}

export function loadConfig(env: Env = process.env): Config {
  const host = read(env, 'MODELYARD_HOST') ?? '127.0.0.1';
  const port = readPort(env);
  const dataDir = path.resolve(read(env, 'MODELYARD_DATA_DIR') ?? './data');
  const logLevel = (read(env, 'MODELYARD_LOG_LEVEL') ?? 'info').toLowerCase() as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError('MODELYARD_LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
  }
  const initialAdminToken = read(env, 'MODELYARD_INITIAL_ADMIN_TOKEN');
  if (initialAdminToken !== undefined && initialAdminToken.length < MIN_INITIAL_ADMIN_TOKEN_LENGTH) {
    throw new ConfigError('MODELYARD_INITIAL_ADMIN_TOKEN', `is too short: at least ${MIN_INITIAL_ADMIN_TOKEN_LENGTH} characters`);
  }
  if (initialAdminToken !== undefined && !/^[\x21-\x7e]+$/.test(initialAdminToken)) {
    throw new ConfigError('MODELYARD_INITIAL_ADMIN_TOKEN', 'must be printable ASCII without spaces');
  }
  const defaultProject = read(env, 'MODELYARD_DEFAULT_PROJECT') ?? 'default';
  const warnings: string[] = [];
  return {
    host,
    port,
    dataDir,
    database: readDatabase(env, dataDir),
    artifactsUrl: readArtifactsUrl(env, dataDir),
    publicUrl: readPublicUrl(env, host, port),
    logLevel,
    defaultProject,
    initialAdminToken,
    maxUploadBytes: readByteSize(env, 'MODELYARD_MAX_UPLOAD_SIZE', 10 * 1024 ** 3),
    outboundAllow: readOutboundAllow(env, warnings),
    secretKeys: readSecretKeys(env),
    ci: {
      heartbeatTimeoutMs: readSeconds(env, 'MODELYARD_CI_HEARTBEAT_TIMEOUT', 120) * 1000,
      pickupTimeoutMs: readPickupTimeout(env),
      runnerRegistrationToken: readRegistrationToken(env),
      gitCacheDir: path.join(dataDir, 'git'),
    },
    serving: {
      cacheMs: readSeconds(env, 'MODELYARD_SERVING_CACHE_SECONDS', 1) * 1000,
      agentStaleMs: readSeconds(env, 'MODELYARD_AGENT_STALE_SECONDS', 30) * 1000,
      gateIntervalMs: readSeconds(env, 'MODELYARD_GATE_INTERVAL_SECONDS', 5) * 1000,
    },
    imports: { hfEndpoint: readHfEndpoint(env), leaseMs: readSeconds(env, 'MODELYARD_IMPORT_LEASE_SECONDS', 30) * 1000 },
    warnings,
    connections: {
      trustedProxies: readTrustedProxies(env),
      requestIdleTimeoutMs: readSeconds(env, 'MODELYARD_REQUEST_IDLE_TIMEOUT', 30) * 1000,
      maxConnectionsPerAddress: readCount(env, 'MODELYARD_MAX_CONNECTIONS_PER_ADDRESS', 256),
    },
    metrics: { token: readMetricsToken(env), address: readMetricsAddress(env) },
    sso: readSso(env),
    checkResponses: readBoolean(env, 'MODELYARD_CHECK_RESPONSES'),
  };
}
