import type { Kysely, Selectable } from 'kysely';
import type { ProjectAccess } from '../auth/policy.ts';
import { randomBytes } from 'node:crypto';
import { newSecret, sha256Hex } from '../auth/secrets.ts';
import type { Schema } from '../db/schema.ts';
import type { SecretBox } from '../secrets/secret-box.ts';
import { recordChange } from '../events/outbox.ts';
import { now } from '../shared/clock.ts';
import { invalid } from '../shared/errors.ts';
import type { OutboundPolicy } from '../outbound/outbound-policy.ts';
import { connectRepository } from './git/repository-access.ts';
import { redactCredentials } from './git/repository-url.ts';
import { CI_PUSH_SECRET, CI_REPOSITORY_URL, type CiSettingsTable } from './tables.ts';
import { compileAssembledRegex, quoteRegex } from '../shared/untrusted-regex.ts';
import type { CiSettings } from './contract.ts';

export type CiSettingsRow = Selectable<CiSettingsTable>;

export interface CiSettingsInput {
  repository_url?: string | null;
  default_branch?: string;
  protected_branches?: string[];
  registry_triggers?: boolean;
  /** A secret of the caller's choice, or 'generate'; shown once in the answer. */
  webhook_secret?: string;
}

const BRANCH = /^[A-Za-z0-9._/*-]{1,255}$/;
/** Pipeline files are small; GitLab's own limit is 1 MiB too. */
export const MAX_CONFIG_BYTES = 1024 * 1024;
/** Generated push-webhook secrets; GitLab has no token kind for these, so they keep Modelyard's prefix. */
const WEBHOOK_SECRET_PREFIX = 'mywhs-';

function defaults(projectId: number): CiSettingsRow {
  return {
    project_id: projectId,
    repository_url: null,
    default_branch: 'main',
    config_content: null,
    webhook_secret: null,
    protected_branches: '[]',
    registry_triggers: 1,
    runners_token_hash: null,
    run_as_user_id: null,
    updated_at: 0,
  };
}

/**
 * `*` matches any run of characters, as in GitLab's protected branch names. RE2 matches in
 * linear time: a backtracking engine takes polynomial time on `*a*a*a*…*b` against `aaa…`.
 */
export function matchesBranchPattern(pattern: string, branch: string): boolean {
  if (!pattern.includes('*')) return pattern === branch;
  return compileAssembledRegex(`^${pattern.split('*').map(quoteRegex).join('.*')}$`).test(branch);
}

/**
 * A project's CI settings: its linked repository or stored pipeline file, push secret, protected
 * branches. The repository URL (which may carry a token) and the push secret are sealed in the
 * table; rows leave this service opened and are sealed again on the way in.
 */
export class CiSettingsService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly outbound: OutboundPolicy,
    private readonly secrets: SecretBox,
  ) {}

  async of(projectId: number, db: Kysely<Schema> = this.db): Promise<CiSettingsRow> {
    const stored = await db.selectFrom('ci_settings').selectAll().where('project_id', '=', projectId).executeTakeFirst();
    if (!stored) return defaults(projectId);
    return {
      ...stored,
      repository_url: stored.repository_url === null ? null : this.secrets.open(stored.repository_url, CI_REPOSITORY_URL.context(projectId)),
      webhook_secret: stored.webhook_secret === null ? null : this.secrets.open(stored.webhook_secret, CI_PUSH_SECRET.context(projectId)),
    };
  }

  /** The default branch is always protected; more patterns may be added. */
  isProtectedRef(settings: CiSettingsRow, ref: string, isTag: boolean): boolean {
    if (isTag) return false;
    const patterns = [settings.default_branch, ...(JSON.parse(settings.protected_branches) as string[])];
    return patterns.some((p) => matchesBranchPattern(p, ref));
  }

  private async save(access: ProjectAccess, values: Partial<CiSettingsRow>, what: string): Promise<CiSettingsRow> {
    const current = await this.of(access.project.id);
    const next: CiSettingsRow = { ...current, ...values, project_id: access.project.id, run_as_user_id: access.caller.user?.id ?? current.run_as_user_id, updated_at: now() };
    const projectId = access.project.id;
    const stored: CiSettingsRow = {
      ...next,
      repository_url: next.repository_url === null ? null : this.secrets.seal(next.repository_url, CI_REPOSITORY_URL.context(projectId)),
      webhook_secret: next.webhook_secret === null ? null : this.secrets.seal(next.webhook_secret, CI_PUSH_SECRET.context(projectId)),
    };
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('ci_settings')
        .values(stored)
        .onConflict((oc) => oc.column('project_id').doUpdateSet({ ...stored }))
        .execute();
      await recordChange(
        trx,
        access.caller,
        { type: 'ci.settings.updated', projectId: access.project.id, payload: { changed: what } },
        { action: 'ci.settings.updated', targetType: 'project', targetId: access.project.id, details: { changed: what } },
      );
    });
    return next;
  }

  async update(access: ProjectAccess, input: CiSettingsInput): Promise<{ settings: CiSettingsRow; webhookSecret?: string }> {
    const values: Partial<CiSettingsRow> = {};
    if (input.repository_url !== undefined) {
      // Refused now rather than at the first pipeline; checked again before every fetch.
      if (input.repository_url !== null) await connectRepository(input.repository_url, this.outbound);
      values.repository_url = input.repository_url;
    }
    if (input.default_branch !== undefined) {
      if (!BRANCH.test(input.default_branch) || input.default_branch.includes('*')) throw invalid('default_branch is not a valid branch name');
      values.default_branch = input.default_branch;
    }
    if (input.protected_branches !== undefined) {
      const bad = input.protected_branches.find((b) => !BRANCH.test(b));
      if (bad !== undefined) throw invalid(`protected_branches: '${bad}' is not a valid branch name or pattern`);
      values.protected_branches = JSON.stringify([...new Set(input.protected_branches)]);
    }
    if (input.registry_triggers !== undefined) values.registry_triggers = input.registry_triggers ? 1 : 0;
    let webhookSecret: string | undefined;
    if (input.webhook_secret !== undefined) {
      webhookSecret = input.webhook_secret === 'generate' ? WEBHOOK_SECRET_PREFIX + randomBytes(24).toString('base64url') : input.webhook_secret;
      if (webhookSecret.length < 16) throw invalid('webhook_secret must be at least 16 characters');
      values.webhook_secret = webhookSecret;
    }
    const settings = await this.save(access, values, Object.keys(values).join(','));
    return { settings, webhookSecret };
  }

  async setConfig(access: ProjectAccess, content: string): Promise<CiSettingsRow> {
    if (Buffer.byteLength(content, 'utf8') > MAX_CONFIG_BYTES) throw invalid(`content is larger than ${MAX_CONFIG_BYTES} bytes`);
    return this.save(access, { config_content: content }, 'config');
  }

  /** A new project registration token for runners (GitLab's legacy registration); shown once. */
  async resetRunnersToken(access: ProjectAccess): Promise<string> {
    const token = newSecret('runnerRegistration');
    await this.save(access, { runners_token_hash: sha256Hex(token) }, 'runners_token');
    return token;
  }

  async projectOfRunnersToken(token: string): Promise<number | undefined> {
    const row = await this.db.selectFrom('ci_settings').select('project_id').where('runners_token_hash', '=', sha256Hex(token)).executeTakeFirst();
    return row?.project_id;
  }
}

export function presentCiSettings(row: CiSettingsRow): CiSettings {
  return {
    repository_url: row.repository_url === null ? null : redactCredentials(row.repository_url),
    default_branch: row.default_branch,
    protected_branches: JSON.parse(row.protected_branches) as string[],
    registry_triggers: row.registry_triggers === 1,
    webhook_secret_set: row.webhook_secret !== null,
    config_stored: row.config_content !== null,
    runners_token_set: row.runners_token_hash !== null,
  };
}
