import type { Kysely, Selectable } from 'kysely';
import type { Logger } from 'pino';
import type { Schema } from '../db/schema.ts';
import { OutboxConsumer } from '../events/outbox-consumer.ts';
import type { EventsTable } from '../events/tables.ts';
import { WorkLeases } from '../events/work-leases.ts';
import { isUniqueViolation } from '../shared/unique-violation.ts';
import type { CiSettingsService } from './ci-settings-service.ts';
import type { PipelineCreator } from './pipeline-creator.ts';

const CONSUMER = 'pipelines';

/** Registry events that can start a pipeline, and the `MODEL_EVENT` value each gets. */
export const REGISTRY_TRIGGERS: Record<string, string> = {
  'registry.version.created': 'version_created',
  'registry.alias.moved': 'alias_moved',
  'registry.label.changed': 'label_changed',
  'registry.version.approved': 'version_approved',
};

type EventRow = Selectable<EventsTable>;

/** The variables a registry-started pipeline gets; its rules select on `$MODEL_EVENT` and these. */
export function modelVariables(type: string, payload: Record<string, unknown>): Record<string, string> {
  const text = (v: unknown) => (v === null || v === undefined ? undefined : String(v));
  const vars: Record<string, string | undefined> = {
    MODEL_EVENT: REGISTRY_TRIGGERS[type],
    MODEL_NAME: text(payload.model_name),
    MODEL_ID: text(payload.model_id),
    MODEL_VERSION: text(payload.version),
    MODEL_VERSION_ID: text(payload.version_id),
    MODEL_SEMVER: text(payload.semver),
    MODEL_URI: payload.model_name !== undefined && payload.version !== undefined ? `models:/${String(payload.model_name)}/${String(payload.version)}` : undefined,
    MODEL_ALIAS: text(payload.alias),
    MODEL_LABEL: text(payload.added),
  };
  return Object.fromEntries(Object.entries(vars).filter((e): e is [string, string] => e[1] !== undefined));
}

/**
 * Reads the outbox and starts pipelines for registry events, on the project's default branch.
 * The pipeline runs as the person whose change it was. A change made by a job of a
 * registry-started pipeline starts nothing: an evaluate job that labels the version must not
 * start itself again. Each event makes at most one pipeline (a unique key), whichever replica
 * reads it first.
 */
export class RegistryTriggers {
  private readonly outbox: OutboxConsumer;
  private started = 0;

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly settings: CiSettingsService,
    private readonly creator: PipelineCreator,
    private readonly logger: Logger,
  ) {
    this.outbox = new OutboxConsumer(db, new WorkLeases(db), CONSUMER, 200, (events) => this.handle(events));
  }

  /** Reads the outbox to its end (or for a few seconds); answers how many pipelines it started. */
  async tick(): Promise<number> {
    this.started = 0;
    await this.outbox.drain(5000);
    return this.started;
  }

  private async handle(events: EventRow[]): Promise<void> {
    for (const event of events) {
      if (!(event.type in REGISTRY_TRIGGERS) || event.project_id === null) continue;
      try {
        if (await this.trigger(event)) this.started++;
      } catch (error) {
        // Started already by a reader that died mid-batch: the event's unique key says so.
        if (isUniqueViolation(error)) continue;
        this.logger.warn({ err: error, event_id: event.id }, 'a registry event could not start its pipeline');
      }
    }
  }

  private async trigger(event: EventRow): Promise<boolean> {
    const projectId = event.project_id!;
    const settings = await this.settings.of(projectId);
    if (settings.registry_triggers !== 1 || (settings.repository_url === null && settings.config_content === null)) return false;
    const payload = JSON.parse(event.payload) as Record<string, unknown>;
    if (typeof payload.ci_job_id === 'number') {
      const source = await this.db
        .selectFrom('ci_jobs')
        .innerJoin('ci_pipelines', 'ci_pipelines.id', 'ci_jobs.pipeline_id')
        .select('ci_pipelines.source')
        .where('ci_jobs.id', '=', payload.ci_job_id)
        .executeTakeFirst();
      if (source?.source === 'model_registry') return false;
    }
    const exists = await this.db.selectFrom('ci_pipelines').select('id').where('project_id', '=', projectId).where('trigger_event_id', '=', event.id).executeTakeFirst();
    if (exists) return false;
    const outcome = await this.creator.create({
      projectId,
      source: 'model_registry',
      variables: modelVariables(event.type, payload),
      userId: event.actor_id ?? settings.run_as_user_id,
      triggerEventId: event.id,
      modelVersionId: typeof payload.version_id === 'number' ? payload.version_id : undefined,
    });
    return outcome.created;
  }
}
