import { invalid } from '../../shared/errors.ts';
import { compileAssembledRegex } from '../../shared/untrusted-regex.ts';

/**
 * Which repository URLs a project may link, and how they are shown in messages. Git accepts far
 * more than these (`ext::` runs a command, `git://` is unauthenticated and unencrypted, relative
 * paths depend on the server's working directory), so anything not listed is refused up front
 * rather than handed to git.
 */
export type RepositoryLocation = 'remote' | 'local';

/** Where git would connect for a URL: nowhere (a path on this disk), an http(s) server or an ssh host. */
export type RepositoryEndpoint = { transport: 'local' } | { transport: 'http'; url: URL } | { transport: 'ssh'; host: string; port: number };

const MAX_URL_LENGTH = 2048;
const SCP_LIKE = /^([^@/\s:]+)@([^/\s:]+):(.+)$/;

export function classifyRepositoryUrl(url: string): RepositoryLocation {
  return describeRepositoryUrl(url).transport === 'local' ? 'local' : 'remote';
}

export function describeRepositoryUrl(url: string): RepositoryEndpoint {
  if (typeof url !== 'string' || url === '') throw invalid('Repository URL is empty');
  const shown = redactCredentials(url);
  if (url.length > MAX_URL_LENGTH) throw invalid(`Repository URL is longer than ${MAX_URL_LENGTH} characters`);
  // A leading dash would be read by git as an option, whatever position the argument has.
  if (url.startsWith('-')) throw invalid(`Repository URL '${shown}' must not start with '-'`);
  // Control characters or whitespace have no place in a URL and could split git's config file.
  if (/[\s\u0000-\u001f\u007f]/.test(url)) throw invalid(`Repository URL '${shown}' contains whitespace or control characters`);

  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'https' || scheme === 'http' || scheme === 'ssh') {
    const parsed = parseUrl(url, shown);
    if (parsed.hostname === '') throw invalid(`Repository URL '${shown}' has no host`);
    // ssh takes a host or user beginning with '-' as an option (CVE-2017-1000117).
    if (parsed.hostname.startsWith('-') || decodeURIComponent(parsed.username).startsWith('-')) {
      throw invalid(`Repository URL '${shown}' has a host or user starting with '-'`);
    }
    if (scheme !== 'ssh') return { transport: 'http', url: parsed };
    return { transport: 'ssh', host: parsed.hostname, port: parsed.port === '' ? 22 : Number(parsed.port) };
  }
  if (scheme === 'file') {
    const parsed = parseUrl(url, shown);
    if (parsed.host !== '') throw invalid(`Repository URL '${shown}' must name a local path (file:///path)`);
    return { transport: 'local' };
  }
  if (scheme !== undefined) {
    throw invalid(`Repository URL scheme '${scheme}://' is not supported: use https://, http://, ssh://, user@host:path, file:// or an absolute path`);
  }
  const scp = SCP_LIKE.exec(url);
  if (scp) {
    if (scp[1]!.startsWith('-') || scp[2]!.startsWith('-')) throw invalid(`Repository URL '${shown}' has a host or user starting with '-'`);
    return { transport: 'ssh', host: scp[2]!, port: 22 };
  }
  if (url.startsWith('/')) {
    if (url.split('/').some((segment) => segment === '..')) throw invalid(`Repository path '${shown}' must not contain '..'`);
    return { transport: 'local' };
  }
  throw invalid(`Repository URL '${shown}' is not supported: use https://, http://, ssh://, user@host:path, file:// or an absolute path`);
}

function parseUrl(url: string, shown: string): URL {
  try {
    return new URL(url);
  } catch {
    throw invalid(`Repository URL '${shown}' is not a valid URL`);
  }
}

/**
 * `scheme://userinfo@`. Matched by RE2: git's error output can hold whatever the remote sends,
 * and JavaScript's engine takes quadratic time on a long run of scheme characters ("-a-a-a…").
 */
const URL_WITH_USERINFO = compileAssembledRegex('(?i)\\b([a-z][a-z0-9+.-]*://)([^/\\s]+)@');

/**
 * Hides credentials embedded in URLs anywhere in a text (git echoes the URL in its errors).
 * A password is always hidden; a lone http(s) user name is hidden too, since tokens are often
 * passed that way (`https://<token>@github.com/...`). An ssh user name (`git@`) is kept.
 */
export function redactCredentials(text: string): string {
  let redacted = '';
  let copied = 0;
  for (const match of URL_WITH_USERINFO.matchAll(text)) {
    const [whole = '', scheme = '', userinfo = ''] = match;
    const colon = userinfo.indexOf(':');
    const shown = colon >= 0 ? `${scheme}${userinfo.slice(0, colon)}:*****@` : /^https?:\/\/$/i.test(scheme) ? `${scheme}*****@` : whole;
    const at = match.index ?? copied;
    redacted += text.slice(copied, at) + shown;
    copied = at + whole.length;
  }
  return redacted + text.slice(copied);
}
