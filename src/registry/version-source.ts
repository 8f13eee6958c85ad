import { RegistryErrors } from './errors.ts';

/**
 * What a model version's `source` names, checked as MLflow's server checks it on
 * `model-versions/create` (`_validate_source_run`): the source is stored as given and read only
 * when someone downloads the version, inside their permissions and the project's storage. So a
 * run Modelyard has never seen (`runs:/run_id_1/model` with `run_id="run_id_1"`) and another
 * store's URI (`s3://bucket/model`) are accepted; refused are local paths (the server's own
 * files), `.`/`..` segments and NUL in any encoding, schemes that make a server connect to the
 * host they name, and a `runs:/` source whose run is not the `run_id` given with it.
 */
export type VersionSource =
  /** `runs:/<run_id>/<path>`: the run's artifacts, if the project holds that run. */
  | { kind: 'run_uri'; runId: string; path: string }
  /** `models:/m-<id>`: a logged model of the project. */
  | { kind: 'logged_model_uri'; modelId: string }
  /** `mlflow-artifacts:/<path>`: the project's own artifact tree. */
  | { kind: 'proxied' }
  /** Any other store's URI: stored, never read by the server. */
  | { kind: 'elsewhere' };

/** Schemes whose artifact repositories connect to the host in the URI (MLflow's host policy). */
const HOST_ADDRESSED = new Set(['ftp', 'sftp', 'hdfs', 'viewfs', 'http', 'https', 'mlflow-artifacts', 'r2', 'b2', 'abfss']);

function schemeOf(uri: string): string {
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(uri);
  // A one-letter "scheme" is a Windows drive (C:\models): a local path.
  return match && match[1]!.length > 1 ? match[1]!.toLowerCase() : '';
}

function authorityOf(uri: string): string | null {
  const match = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/.exec(uri);
  return match ? match[1]! : null;
}

/** Decoded until it no longer changes, as MLflow unquotes (`%252e%252e` is `..`). */
function fullyDecoded(text: string): string {
  let current = text;
  for (let i = 0; i < 10; i++) {
    let next: string;
    try {
      next = decodeURIComponent(current.replace(/\+/g, ' '));
    } catch {
      return current;
    }
    if (next === current) return current;
    current = next;
  }
  return current;
}

function hasRelativeParts(source: string): boolean {
  const decoded = fullyDecoded(source);
  if (decoded.includes('\u0000')) return true;
  return decoded.split(/[/\\]/).some((segment) => segment === '..' || segment === '.');
}

export function checkVersionSource(source: string, runId: string | undefined): VersionSource {
  const scheme = schemeOf(source);
  if (scheme === '' || scheme === 'file') throw RegistryErrors.LOCAL_VERSION_SOURCE({ source });
  if (hasRelativeParts(source)) throw RegistryErrors.RELATIVE_VERSION_SOURCE({ source });
  const authority = authorityOf(source);
  if (HOST_ADDRESSED.has(scheme) && !(scheme === 'mlflow-artifacts' && !authority)) throw RegistryErrors.HOST_ADDRESSED_VERSION_SOURCE({ scheme });
  if (scheme === 'runs') {
    const parsed = /^runs:\/([^/]+)(?:\/(.*))?$/i.exec(source);
    if (authority || !parsed) throw RegistryErrors.VERSION_SOURCE_NOT_OF({ source, field: 'run_id' });
    // Without a run_id the run is the source's (Modelyard has always read it so); with one, they must agree.
    if (runId !== undefined && runId !== parsed[1]) throw RegistryErrors.VERSION_SOURCE_NOT_OF({ source, field: 'run_id' });
    return { kind: 'run_uri', runId: parsed[1]!, path: (parsed[2] ?? '').replace(/\/+$/, '') };
  }
  if (scheme === 'models') {
    const logged = /^models:\/(m-[0-9a-f]{32})\/?$/.exec(source);
    if (authority || !logged) throw RegistryErrors.VERSION_SOURCE_NOT_OF({ source, field: 'model_id' });
    return { kind: 'logged_model_uri', modelId: logged[1]! };
  }
  if (scheme === 'mlflow-artifacts') return { kind: 'proxied' };
  return { kind: 'elsewhere' };
}
