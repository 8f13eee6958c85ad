import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { parseUntrustedJson } from '../../shared/json-depth.ts';

/**
 * Push webhooks from the three forges a linked repository usually lives on, verified and reduced
 * to one shape. The body is authenticated before it is parsed: an unsigned request learns
 * nothing about what this endpoint would have accepted.
 *
 * GitLab proves itself with a shared token in `X-Gitlab-Token`; GitHub and Gitea sign the raw
 * body with HMAC-SHA256 (`X-Hub-Signature-256: sha256=<hex>`, `X-Gitea-Signature: <hex>`).
 */
export type GitProvider = 'gitlab' | 'github' | 'gitea';

export interface PushEvent {
  provider: GitProvider;
  /** The full ref, e.g. `refs/heads/main` or `refs/tags/v1.0`. */
  ref: string;
  branch?: string;
  tag?: string;
  before: string;
  /** The pushed object (for an annotated tag, the tag object; peel it to reach the commit). */
  after: string;
  deleted: boolean;
  /** Clone and web URLs named in the payload, to match against the project's linked repository. */
  repositoryUrls: string[];
  pusher?: string;
  commitTitle?: string;
}

export type PushVerification = { ok: true; event: PushEvent } | { ok: false; status: 400 | 401; message: string } | { ok: true; ignored: string };

type Headers = Record<string, string | string[] | undefined>;
type Json = Record<string, unknown>;

const SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

export function verifyPushWebhook(provider: GitProvider, headers: Headers, rawBody: Buffer, secret: string): PushVerification {
  if (secret === '') return unauthorized('No webhook secret is configured for this repository, so no push can be trusted');
  const authentication = authenticate(provider, headers, rawBody, secret);
  if (authentication !== undefined) return unauthorized(authentication);

  const eventHeader = EVENT_HEADER[provider];
  const eventName = header(headers, eventHeader);
  if (eventName === undefined) return badRequest(`Missing ${eventHeader} header`);
  if (!PUSH_EVENTS[provider].includes(eventName)) return { ok: true, ignored: `${eventHeader} '${eventName}' is not a push event` };

  const body = parseBody(headers, rawBody);
  if (body === undefined) return badRequest('Request body is not a JSON object');
  const event = PARSERS[provider](body);
  return typeof event === 'string' ? badRequest(event) : { ok: true, event };
}

const EVENT_HEADER: Record<GitProvider, string> = {
  gitlab: 'X-Gitlab-Event',
  github: 'X-GitHub-Event',
  gitea: 'X-Gitea-Event',
};

const PUSH_EVENTS: Record<GitProvider, readonly string[]> = {
  gitlab: ['Push Hook', 'Tag Push Hook'],
  github: ['push'],
  gitea: ['push'],
};

/** Undefined when the request is authentic, else why it is not. */
function authenticate(provider: GitProvider, headers: Headers, rawBody: Buffer, secret: string): string | undefined {
  if (provider === 'gitlab') {
    const token = header(headers, 'X-Gitlab-Token');
    if (token === undefined) return 'Missing X-Gitlab-Token header';
    // Both sides hashed first, so the comparison takes the same time whatever the lengths.
    const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
    return timingSafeEqual(digest(token), digest(secret)) ? undefined : 'X-Gitlab-Token does not match the webhook secret';
  }
  const name = provider === 'github' ? 'X-Hub-Signature-256' : 'X-Gitea-Signature';
  const signature = header(headers, name);
  if (signature === undefined) return `Missing ${name} header`;
  const hex = provider === 'github' ? /^sha256=([0-9a-f]{64})$/i.exec(signature)?.[1] : /^([0-9a-f]{64})$/i.exec(signature)?.[1];
  if (hex === undefined) {
    return provider === 'github' ? `${name} must be 'sha256=' followed by 64 hex digits` : `${name} must be 64 hex digits`;
  }
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  return timingSafeEqual(Buffer.from(hex, 'hex'), expected) ? undefined : `${name} does not match the body signed with the webhook secret`;
}

/** Header lookup that does not depend on how the caller cased the names. */
function header(headers: Headers, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted) continue;
    const first = Array.isArray(value) ? value[0] : value;
    return first === undefined ? undefined : first.trim();
  }
  return undefined;
}

/** JSON, or GitHub's and Gitea's form encoding (`payload=<json>`), which they sign the same way. */
function parseBody(headers: Headers, rawBody: Buffer): Json | undefined {
  let text = rawBody.toString('utf8');
  if (header(headers, 'Content-Type')?.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    const payload = new URLSearchParams(text).get('payload');
    if (payload === null) return undefined;
    text = payload;
  }
  try {
    const parsed: unknown = parseUntrustedJson(text);
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

type Parser = (body: Json) => PushEvent | string;

const PARSERS: Record<GitProvider, Parser> = {
  gitlab(body) {
    const project = objectAt(body, 'project');
    const repository = objectAt(body, 'repository');
    const after = stringAt(body, 'after');
    const commits = Array.isArray(body.commits) ? body.commits.filter(isObject) : [];
    // The list is capped at 20 commits and its order has varied; the pushed head is the one wanted.
    const head = commits.find((commit) => commit.id === after) ?? commits.at(-1);
    return assemble('gitlab', body, {
      deleted: undefined,
      urls: [
        stringAt(project, 'git_http_url'),
        stringAt(project, 'git_ssh_url'),
        stringAt(project, 'web_url'),
        stringAt(repository, 'git_http_url'),
        stringAt(repository, 'git_ssh_url'),
        stringAt(repository, 'homepage'),
      ],
      pusher: stringAt(body, 'user_username'),
      commitTitle: stringAt(head, 'title') ?? firstLine(stringAt(head, 'message')),
    });
  },
  github(body) {
    const repository = objectAt(body, 'repository');
    return assemble('github', body, {
      deleted: typeof body.deleted === 'boolean' ? body.deleted : undefined,
      urls: [stringAt(repository, 'clone_url'), stringAt(repository, 'ssh_url'), stringAt(repository, 'html_url')],
      pusher: stringAt(objectAt(body, 'pusher'), 'name'),
      commitTitle: firstLine(stringAt(objectAt(body, 'head_commit'), 'message')),
    });
  },
  gitea(body) {
    const repository = objectAt(body, 'repository');
    const pusher = objectAt(body, 'pusher');
    return assemble('gitea', body, {
      // Gitea sends no `deleted`; a deletion is told by the all-zero `after`.
      deleted: undefined,
      urls: [stringAt(repository, 'clone_url'), stringAt(repository, 'ssh_url'), stringAt(repository, 'html_url')],
      pusher: stringAt(pusher, 'username') ?? stringAt(pusher, 'login'),
      commitTitle: firstLine(stringAt(objectAt(body, 'head_commit'), 'message')),
    });
  },
};

interface ProviderFields {
  /** The provider's own flag, when it sends one. */
  deleted: boolean | undefined;
  urls: Array<string | undefined>;
  pusher: string | undefined;
  commitTitle: string | undefined;
}

/** The fields every provider shares (`ref`, `before`, `after`), checked once. */
function assemble(provider: GitProvider, body: Json, fields: ProviderFields): PushEvent | string {
  const ref = stringAt(body, 'ref');
  const before = stringAt(body, 'before')?.toLowerCase();
  const after = stringAt(body, 'after')?.toLowerCase();
  if (ref === undefined || !ref.startsWith('refs/') || ref.length > 1024) return "Payload field 'ref' is missing or is not a full ref (refs/...)";
  if (before === undefined || !SHA.test(before)) return "Payload field 'before' is missing or is not a sha";
  if (after === undefined || !SHA.test(after)) return "Payload field 'after' is missing or is not a sha";

  const event: PushEvent = {
    provider,
    ref,
    before,
    after,
    deleted: fields.deleted ?? /^0+$/.test(after),
    repositoryUrls: [...new Set(fields.urls.filter((url): url is string => url !== undefined && url !== ''))],
  };
  if (ref.startsWith('refs/heads/')) event.branch = ref.slice('refs/heads/'.length);
  else if (ref.startsWith('refs/tags/')) event.tag = ref.slice('refs/tags/'.length);
  if (fields.pusher !== undefined && fields.pusher !== '') event.pusher = fields.pusher;
  if (fields.commitTitle !== undefined && !event.deleted) event.commitTitle = fields.commitTitle;
  return event;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function objectAt(value: Json | undefined, key: string): Json | undefined {
  const found = value?.[key];
  return isObject(found) ? found : undefined;
}

function stringAt(value: Json | undefined, key: string): string | undefined {
  const found = value?.[key];
  return typeof found === 'string' ? found : undefined;
}

function firstLine(message: string | undefined): string | undefined {
  return message === undefined ? undefined : message.split('\n', 1)[0]!.trim();
}

const unauthorized = (message: string): PushVerification => ({ ok: false, status: 401, message });
const badRequest = (message: string): PushVerification => ({ ok: false, status: 400, message });
