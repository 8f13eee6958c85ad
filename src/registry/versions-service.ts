import type { Kysely } from 'kysely';
import type { ProjectAccess } from '../auth/policy.ts';
import type { Schema } from '../db/schema.ts';
import { inTransaction } from '../db/transaction.ts';
import { recordChange } from '../events/outbox.ts';
import { now } from '../shared/clock.ts';
import { AppError, invalid } from '../shared/errors.ts';
import { decodePageToken, encodePageToken } from '../shared/page-token.ts';
import type { LoggedModelsService } from '../tracking/logged-models-service.ts';
import type { RunsService } from '../tracking/runs-service.ts';
import type { KeyValue } from '../tracking/run-model.ts';
import { parseFilter } from '../tracking/search/filter-parser.ts';
import { RegistryErrors } from './errors.ts';
import { checkVersionSource } from './version-source.ts';
import { versionFilesUrl, type VersionRuns } from './version-run.ts';
import { CopiedSourceErrors, registeredVersionUri, registeredVersionUriOf, type RegisteredVersionUri } from './registered-version-uri.ts';
import { registryEvent } from './events.ts';
import { validDescription, validateCard, type ModelCard } from './model-card.ts';
import type { ModelKey, RegisteredModelsService } from './models-service.ts';
import { SEMVER_TAGS, STAGES, type ModelRow, type ModelVersion, type Stage, type VersionRow } from './registry-model.ts';
import { hydrateVersions } from './registry-reader.ts';
import { versionSearchQuery } from './version-search.ts';
import { asSemver, formatSemver, nextSemver, parseSemver } from './semver.ts';
import { addLabel, deleteTag, removeLabel, setTag, validTag } from './tagging.ts';

export interface NewVersion {
  /** The model: its name (MLflow) or its id (the native API). */
  name: ModelKey;
  source?: string;
  runId?: string;
  modelId?: string;
  tags?: KeyValue[];
  description?: string;
  semver?: string;
  userId?: string;
}

type Source = { kind: VersionRow['source_kind']; source: string; runId: string | null; loggedModelId: string | null };

/** How many copies of copies a download follows to the original's files. */
const MAX_COPY_CHAIN = 20;

/** Model versions: the integer version MLflow knows and the semantic version people use. */
export class ModelVersionsService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly models: RegisteredModelsService,
    private readonly runs: RunsService,
    private readonly loggedModels: LoggedModelsService,
    private readonly versionRuns: VersionRuns,
  ) {}

  async getRow(access: ProjectAccess, key: ModelKey, version: number | string, db: Kysely<Schema> = this.db): Promise<{ model: ModelRow; row: VersionRow }> {
    const model = await this.models.getRow(access, key, db);
    const number = typeof version === 'number' ? version : /^\d{1,9}$/.test(version) ? Number(version) : Number.NaN;
    // GitLab's MLflow API names versions by their semantic version (gitlab-mlops asks for '1.0.0').
    const semver = typeof version === 'string' && !Number.isSafeInteger(number) ? asSemver(version) : null;
    if (!Number.isSafeInteger(number) && semver === null) throw invalid(`Invalid model version '${version}': it must be an integer`);
    const row = await db
      .selectFrom('model_versions')
      .selectAll()
      .where('model_id', '=', model.id)
      .where((eb) => (semver === null ? eb('version', '=', number) : eb('semver', '=', semver)))
      .executeTakeFirst();
    if (!row) throw RegistryErrors.VERSION_NOT_FOUND({ name: model.name, version });
    return { model, row };
  }

  async getById(access: ProjectAccess, versionId: number): Promise<{ model: ModelRow; row: VersionRow }> {
    const row = await this.db
      .selectFrom('model_versions')
      .innerJoin('registered_models', 'registered_models.id', 'model_versions.model_id')
      .selectAll('model_versions')
      .where('model_versions.id', '=', versionId)
      .where('registered_models.project_id', '=', access.project.id)
      .executeTakeFirst();
    if (!row) throw RegistryErrors.VERSION_NOT_FOUND({ id: versionId });
    return { model: await this.models.getRowById(access, row.model_id), row };
  }

  /** A version by its row id (GitLab's model_version_id), as the CI pages and package files name it. */
  async getByRowId(access: ProjectAccess, versionId: number): Promise<ModelVersion> {
    const { model, row } = await this.getById(access, versionId);
    return (await this.hydrate(model, [row]))[0]!;
  }

  async hydrate(model: ModelRow, rows: VersionRow[]): Promise<ModelVersion[]> {
    return hydrateVersions(this.db, rows, new Map([[model.id, model.name]]));
  }

  async get(access: ProjectAccess, key: ModelKey, version: number | string): Promise<ModelVersion> {
    const { model, row } = await this.getRow(access, key, version);
    return (await this.hydrate(model, [row]))[0]!;
  }

  /** The version a `models:/<name>/…` URI names now, in the caller's project. */
  private async namedVersion(access: ProjectAccess, uri: RegisteredVersionUri, db: Kysely<Schema> = this.db): Promise<{ model: ModelRow; row: VersionRow }> {
    if ('version' in uri) return this.getRow(access, uri.name, uri.version, db);
    const model = await this.models.getRow(access, uri.name, db);
    let query = db.selectFrom('model_versions').selectAll('model_versions').where('model_versions.model_id', '=', model.id);
    if ('alias' in uri) {
      query = query.innerJoin('model_aliases', 'model_aliases.version_id', 'model_versions.id').where('model_aliases.alias', '=', uri.alias);
      const row = await query.executeTakeFirst();
      if (!row) throw RegistryErrors.ALIAS_NOT_FOUND({ alias: uri.alias });
      return { model, row };
    }
    if ('stage' in uri) {
      const stage = STAGES.find((known) => known.toLowerCase() === uri.stage.toLowerCase()) ?? invalidStage(uri.stage);
      query = query.where('model_versions.current_stage', '=', stage);
    }
    const row = await query.orderBy('model_versions.version', 'desc').executeTakeFirst();
    if (!row) throw CopiedSourceErrors.NO_VERSION_TO_COPY({ name: model.name, stage: 'stage' in uri ? uri.stage : undefined });
    return { model, row };
  }

  /**
   * A version copied from another (`models:/<name>/<version>`, `@<alias>`, `/latest`, `/<stage>`),
   * as MLflow registers it: the source becomes `models:/<name>/<version>` of the version it names
   * now, and the run and logged model are that version's unless given (then they must agree).
   */
  private async copiedSource(access: ProjectAccess, source: string, uri: RegisteredVersionUri, input: NewVersion, db: Kysely<Schema>): Promise<Source> {
    const { model, row } = await this.namedVersion(access, uri, db);
    if ((input.runId && input.runId !== (row.run_id ?? '')) || (input.modelId && input.modelId !== (row.logged_model_id ?? ''))) {
      throw CopiedSourceErrors.COPIED_SOURCE_MISMATCH({ source });
    }
    return { kind: 'run', source: registeredVersionUri(model.name, row.version), runId: row.run_id, loggedModelId: row.logged_model_id };
  }

  /** Where a version's files come from: a logged model, a run's artifacts, another version, or uploaded files. */
  private async resolveSource(access: ProjectAccess, input: NewVersion, db: Kysely<Schema>): Promise<Source> {
    const source = input.source ?? '';
    const copied = registeredVersionUriOf(source);
    if (copied) return this.copiedSource(access, source, copied, input, db);
    const loggedModelId = input.modelId || (/^models:\/(m-[0-9a-f]{32})\/?$/.exec(source)?.[1] ?? null);
    if (loggedModelId) {
      const logged = await this.loggedModels.getRow(access, loggedModelId, db);
      if (source !== '' && !source.startsWith('models:/')) checkVersionSource(source, undefined);
      return { kind: 'logged_model', source: source || `models:/${loggedModelId}`, runId: input.runId || logged.source_run_id, loggedModelId };
    }
    if (source === '') {
      if (input.runId) await this.runs.getRow(access, input.runId, db);
      return { kind: 'files', source: '', runId: input.runId || null, loggedModelId: null };
    }
    // Stored as given: a run the project does not hold is a dangling link that lineage and
    // downloads tolerate, not a refusal (MLflow stores it too).
    const checked = checkVersionSource(source, input.runId);
    return { kind: 'run', source, runId: checked.kind === 'run_uri' ? checked.runId : input.runId || null, loggedModelId: null };
  }

  /**
   * Makes a version. `alongside` runs in the version's own transaction, after it is made: what
   * the caller records about it (an import job's version id) commits with it or not at all.
   */
  async create(access: ProjectAccess, input: NewVersion, alongside?: (trx: Kysely<Schema>, row: VersionRow) => Promise<void>): Promise<ModelVersion> {
    const tags = (input.tags ?? []).map((t) => validTag(t.key, t.value));
    const description = validDescription(input.description ?? '');
    const requested = input.semver ?? tags.find((t) => (SEMVER_TAGS as readonly string[]).includes(t.key))?.value;
    const { model, row } = await inTransaction(this.db, async (trx) => {
      const model = await this.models.getRow(access, input.name, trx);
      const source = await this.resolveSource(access, input, trx);
      const existing = await trx.selectFrom('model_versions').select(['version', 'semver']).where('model_id', '=', model.id).execute();
      const semver = requested !== undefined ? formatSemver(parseSemver(requested)) : nextSemver(existing.map((v) => v.semver));
      if (existing.some((v) => v.semver === semver)) {
        throw RegistryErrors.SEMVER_TAKEN({ model: model.name, semver });
      }
      const parts = parseSemver(semver);
      const at = now();
      const inserted = await trx
        .insertInto('model_versions')
        .values({
          model_id: model.id,
          version: Math.max(0, ...existing.map((v) => v.version)) + 1,
          semver,
          semver_major: parts.major,
          semver_minor: parts.minor,
          semver_patch: parts.patch,
          semver_prerelease: parts.prerelease,
          semver_explicit: requested !== undefined ? 1 : 0,
          source: source.source,
          source_kind: source.kind,
          run_id: source.runId,
          logged_model_id: source.loggedModelId,
          status: 'READY',
          status_message: null,
          description,
          card: '{}',
          current_stage: 'None',
          approval_status: 'none',
          user_id: input.userId || access.caller.user?.username || 'anonymous',
          creator_id: access.caller.user?.id ?? null,
          created_at: at,
          updated_at: at,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const row =
        source.kind === 'files' && source.runId === null
          ? await trx
              .updateTable('model_versions')
              .set({ run_id: await this.versionRuns.create(access, trx, model, inserted) })
              .where('id', '=', inserted.id)
              .returningAll()
              .executeTakeFirstOrThrow()
          : inserted;
      for (const tag of tags) await setTag(trx, { kind: 'version', id: row.id }, tag);
      if (source.loggedModelId) await listVersionOnLoggedModel(trx, source.loggedModelId, { name: model.name, version: row.version });
      if (alongside) await alongside(trx, row);
      await trx.updateTable('registered_models').set({ updated_at: at }).where('id', '=', model.id).execute();
      await recordChange(
        trx,
        access.caller,
        registryEvent('registry.version.created', access.project.id, {
          model_name: model.name,
          model_id: model.id,
          version: row.version,
          version_id: row.id,
          semver,
          run_id: row.run_id,
          logged_model_id: row.logged_model_id,
          model_uri: `models:/${model.name}/${row.version}`,
        }),
        { action: 'registry.version.created', targetType: 'model_version', targetId: row.id, details: { model: model.name, version: row.version, semver } },
      );
      return { model, row };
    });
    return (await this.hydrate(model, [row]))[0]!;
  }

  /** The native API's edit: the card fields as a person sent them, checked (null leaves a field as it is). */
  async edit(access: ProjectAccess, key: ModelKey, version: number | string, input: { description?: string; card?: Record<string, unknown> }): Promise<ModelVersion> {
    return this.update(access, key, version, { description: input.description, card: input.card === undefined ? undefined : validateCard(input.card) });
  }

  /** Sets the description and merges card fields into the version's card. */
  async update(access: ProjectAccess, key: ModelKey, version: number | string, input: { description?: string; card?: ModelCard }): Promise<ModelVersion> {
    const description = input.description === undefined ? undefined : validDescription(input.description);
    const fields = input.card;
    const { model, row } = await inTransaction(this.db, async (trx) => {
      const { model, row } = await this.getRow(access, key, version, trx);
      const card = fields === undefined ? row.card : JSON.stringify({ ...(JSON.parse(row.card) as object), ...fields });
      const updated = await trx
        .updateTable('model_versions')
        .set({ description: description ?? row.description, card, updated_at: now() })
        .where('id', '=', row.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordChange(trx, access.caller, registryEvent('registry.version.updated', access.project.id, { model_name: model.name, version: row.version, version_id: row.id }));
      return { model, row: updated };
    });
    return (await this.hydrate(model, [row]))[0]!;
  }

  /** MLflow's stages, still accepted; archiving the others in the stage if asked. */
  async transitionStage(access: ProjectAccess, key: ModelKey, version: number | string, rawStage: string, archiveExisting: boolean): Promise<ModelVersion> {
    const stage = STAGES.find((s) => s.toLowerCase() === rawStage.toLowerCase());
    if (!stage) throw invalid(`Invalid Model Version stage: ${rawStage}. Value must be one of ${STAGES.join(', ')}.`);
    const { model, row } = await inTransaction(this.db, async (trx) => {
      const { model, row } = await this.getRow(access, key, version, trx);
      const at = now();
      if (archiveExisting && stage !== 'None' && stage !== 'Archived') {
        await trx
          .updateTable('model_versions')
          .set({ current_stage: 'Archived', updated_at: at })
          .where('model_id', '=', model.id)
          .where('current_stage', '=', stage)
          .where('id', '!=', row.id)
          .execute();
      }
      const updated = await trx.updateTable('model_versions').set({ current_stage: stage, updated_at: at }).where('id', '=', row.id).returningAll().executeTakeFirstOrThrow();
      await recordChange(
        trx,
        access.caller,
        registryEvent('registry.version.stage_changed', access.project.id, { model_name: model.name, version: row.version, version_id: row.id, from: row.current_stage, to: stage }),
        { action: 'registry.version.stage_changed', targetType: 'model_version', targetId: row.id, details: { from: row.current_stage, to: stage } },
      );
      return { model, row: updated };
    });
    return (await this.hydrate(model, [row]))[0]!;
  }

  async delete(access: ProjectAccess, key: ModelKey, version: number | string): Promise<void> {
    await inTransaction(this.db, async (trx) => {
      const { model, row } = await this.getRow(access, key, version, trx);
      await trx.deleteFrom('model_versions').where('id', '=', row.id).execute();
      await trx.updateTable('registered_models').set({ updated_at: now() }).where('id', '=', model.id).execute();
      await recordChange(trx, access.caller, registryEvent('registry.version.deleted', access.project.id, { model_name: model.name, version: row.version, version_id: row.id }), {
        action: 'registry.version.deleted',
        targetType: 'model_version',
        targetId: row.id,
        details: { model: model.name, version: row.version, semver: row.semver },
      });
    });
  }

  async setTag(access: ProjectAccess, model: ModelKey, version: number | string, key: unknown, value: unknown): Promise<void> {
    const tag = validTag(key, value);
    await inTransaction(this.db, async (trx) => {
      const { model: current, row } = await this.getRow(access, model, version, trx);
      await setTag(trx, { kind: 'version', id: row.id }, tag);
      await trx.updateTable('model_versions').set({ updated_at: now() }).where('id', '=', row.id).execute();
      await recordChange(trx, access.caller, registryEvent('registry.version.tag_set', access.project.id, { model_name: current.name, version: row.version, version_id: row.id, key: tag.key }));
    });
  }

  async deleteTag(access: ProjectAccess, model: ModelKey, version: number | string, key: string): Promise<void> {
    await inTransaction(this.db, async (trx) => {
      const { model: current, row } = await this.getRow(access, model, version, trx);
      await deleteTag(trx, { kind: 'version', id: row.id }, key);
      await recordChange(trx, access.caller, registryEvent('registry.version.tag_deleted', access.project.id, { model_name: current.name, version: row.version, version_id: row.id, key }));
    });
  }

  /** Adds a label (a scoped one replaces its scope's); answers the version as it now is. */
  async addLabel(access: ProjectAccess, key: ModelKey, version: number | string, label: string): Promise<ModelVersion> {
    const { model, row } = await inTransaction(this.db, async (trx) => {
      const { model, row } = await this.getRow(access, key, version, trx);
      const replaced = await addLabel(trx, { kind: 'version', id: row.id }, label);
      await trx.updateTable('model_versions').set({ updated_at: now() }).where('id', '=', row.id).execute();
      await recordChange(
        trx,
        access.caller,
        registryEvent('registry.label.changed', access.project.id, { model_name: model.name, version: row.version, version_id: row.id, semver: row.semver, added: label, removed: replaced }),
        { action: 'registry.label.added', targetType: 'model_version', targetId: row.id, details: { label, replaced } },
      );
      return { model, row };
    });
    return (await this.hydrate(model, [row]))[0]!;
  }

  async removeLabel(access: ProjectAccess, key: ModelKey, version: number | string, label: string): Promise<void> {
    await inTransaction(this.db, async (trx) => {
      const { model, row } = await this.getRow(access, key, version, trx);
      await removeLabel(trx, { kind: 'version', id: row.id }, label);
      await recordChange(
        trx,
        access.caller,
        registryEvent('registry.label.changed', access.project.id, { model_name: model.name, version: row.version, version_id: row.id, added: null, removed: [label] }),
        { action: 'registry.label.removed', targetType: 'model_version', targetId: row.id, details: { label } },
      );
    });
  }

  /** The latest version in each of the given stages (all stages when none is given). */
  async latestVersions(access: ProjectAccess, key: ModelKey, stages: string[]): Promise<ModelVersion[]> {
    const model = await this.models.getRow(access, key);
    const wanted = stages.map((s) => STAGES.find((known) => known.toLowerCase() === s.toLowerCase()) ?? invalidStage(s));
    const rows = await this.db.selectFrom('model_versions').selectAll().where('model_id', '=', model.id).orderBy('version', 'desc').execute();
    const latest = new Map<Stage, VersionRow>();
    for (const row of rows) if (!latest.has(row.current_stage)) latest.set(row.current_stage, row);
    const picked = [...latest.values()].filter((r) => wanted.length === 0 || wanted.includes(r.current_stage)).sort((a, b) => a.version - b.version);
    return this.hydrate(model, picked);
  }

  /** Where the MLflow client downloads a version's files from. */
  async downloadUri(access: ProjectAccess, key: ModelKey, version: number | string, publicUrl: string, copies = 0): Promise<string> {
    const { row } = await this.getRow(access, key, version);
    const copied = registeredVersionUriOf(row.source);
    if (copied && 'version' in copied) {
      // A copy reads its original's files; an original since deleted leaves the source as stored.
      // Each copy names an older version, so the chain ends; the bound only caps its length.
      if (copies >= MAX_COPY_CHAIN) return row.source;
      return this.downloadUri(access, copied.name, copied.version, publicUrl, copies + 1).catch((error: unknown) => {
        if (error instanceof AppError && error.kind === 'not_found') return row.source;
        throw error;
      });
    }
    if (row.source_kind === 'logged_model' && row.logged_model_id) {
      const logged = await this.loggedModels.get(access, row.logged_model_id);
      return logged.artifactUri;
    }
    const runSource = /^runs:\/([^/]+)(?:\/(.*))?$/.exec(row.source);
    if (runSource) {
      // A run of the project: its artifacts; a run it does not hold: the source as stored, as MLflow answers.
      const run = await this.runs.findRow(access, runSource[1]!);
      const path = (runSource[2] ?? '').replace(/\/+$/, '');
      return run ? (path === '' ? run.artifact_uri : `${run.artifact_uri}/${path}`) : row.source;
    }
    if (row.source_kind === 'files') return versionFilesUrl(publicUrl, access.project.id, row.id);
    return row.source;
  }

  async list(access: ProjectAccess, key: ModelKey, options: { offset: number; limit: number }) {
    const model = await this.models.getRow(access, key);
    const base = this.db.selectFrom('model_versions').where('model_id', '=', model.id);
    const [count, rows] = await Promise.all([
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      base.selectAll().orderBy('version', 'desc').offset(options.offset).limit(options.limit).execute(),
    ]);
    return { total: Number(count.n), items: await this.hydrate(model, rows) };
  }

  async search(access: ProjectAccess, search: { filter?: string; maxResults?: number; orderBy?: string[]; pageToken?: string }) {
    const maxResults = search.maxResults ?? 10_000;
    if (!Number.isSafeInteger(maxResults) || maxResults < 1 || maxResults > 200_000) throw invalid(`Invalid value for max_results: it must be between 1 and 200000, got ${maxResults}`);
    const filter = parseFilter(search.filter);
    const fingerprint = JSON.stringify(['versions', search.filter ?? '', search.orderBy ?? []]);
    const offset = decodePageToken(search.pageToken, fingerprint);
    const query = versionSearchQuery(this.db, access.project.id, filter, search.orderBy ?? []);
    const rows = await query
      .offset(offset)
      .limit(maxResults + 1)
      .execute();
    const page = rows.slice(0, maxResults);
    const names = new Map(page.map((r) => [r.model_id, r.model_name]));
    return {
      versions: await hydrateVersions(
        this.db,
        page.map(({ model_name: _name, ...row }) => row),
        names,
      ),
      nextPageToken: rows.length > maxResults ? encodePageToken(offset + maxResults, fingerprint) : undefined,
    };
  }
}

function invalidStage(stage: string): never {
  throw invalid(`Invalid Model Version stage: ${stage}. Value must be one of ${STAGES.join(', ')}.`);
}

/** The logged model's tag that lists the versions registered from it, as MLflow keeps it. */
export const MODEL_VERSIONS_TAG = 'mlflow.modelVersions';

/**
 * Adds a version to its logged model's `mlflow.modelVersions` tag: a JSON list of
 * `{"name", "version"}` written as Python's json.dumps writes it, which MLflow's clients compare
 * as text. A tag that is not such a list (someone set it by hand) is started anew.
 */
async function listVersionOnLoggedModel(db: Kysely<Schema>, loggedModelId: string, entry: { name: string; version: number }): Promise<void> {
  const existing = await db.selectFrom('logged_model_tags').select('value').where('model_id', '=', loggedModelId).where('key', '=', MODEL_VERSIONS_TAG).executeTakeFirst();
  let listed: { name: string; version: number }[] = [];
  try {
    const parsed: unknown = existing ? JSON.parse(existing.value) : [];
    if (Array.isArray(parsed))
      listed = parsed.filter((e): e is { name: string; version: number } => typeof e === 'object' && e !== null && typeof e.name === 'string' && typeof e.version === 'number');
  } catch {
    listed = [];
  }
  if (!listed.some((e) => e.name === entry.name && e.version === entry.version)) listed.push(entry);
  const value = `[${listed.map((e) => `{"name": ${pythonJsonString(e.name)}, "version": ${e.version}}`).join(', ')}]`;
  await db
    .insertInto('logged_model_tags')
    .values({ model_id: loggedModelId, key: MODEL_VERSIONS_TAG, value })
    .onConflict((oc) => oc.columns(['model_id', 'key']).doUpdateSet({ value }))
    .execute();
}

/** A JSON string as Python's json.dumps writes it (non-ASCII escaped). */
function pythonJsonString(text: string): string {
  return JSON.stringify(text).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
