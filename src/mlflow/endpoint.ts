import type { Static, TObject, TSchema } from 'typebox';
import type { ProjectAccess } from '../auth/policy.ts';
import type { ExperimentsService } from '../tracking/experiments-service.ts';
import type { LoggedModelsService } from '../tracking/logged-models-service.ts';
import type { MetricsService } from '../tracking/metrics-service.ts';
import type { RunsService } from '../tracking/runs-service.ts';
import type { Kysely } from 'kysely';
import type { AliasesService } from '../registry/aliases-service.ts';
import type { RegisteredModelsService } from '../registry/models-service.ts';
import type { ModelVersionsService } from '../registry/versions-service.ts';
import type { Schema } from '../db/schema.ts';
import type { ArtifactsService } from '../artifacts/artifacts-service.ts';
import type { Message } from './message.ts';
import type { JsonText } from './proto-json.ts';
import type { ExperimentIds } from './tracking-presenters.ts';

export interface MlflowServices {
  db: Kysely<Schema>;
  experiments: ExperimentsService;
  runs: RunsService;
  metrics: MetricsService;
  loggedModels: LoggedModelsService;
  models: RegisteredModelsService;
  versions: ModelVersionsService;
  aliases: AliasesService;
  artifacts: ArtifactsService;
  publicUrl: string;
}

/** What an MLflow handler gets: the authorized project, the request message, path parameters. */
export interface MlflowCall {
  access: ProjectAccess;
  message: Message;
  params: Record<string, string>;
  /** The size of the request body in bytes, for MLflow's 1 MB limit on log-batch. */
  bodyBytes: number;
  services: MlflowServices;
  /** The mapping of the project's default experiment to "0", loaded on first use. */
  ids(): Promise<ExperimentIds>;
  /** An experiment id from the client ("0" is the project's default experiment). */
  experimentId(raw: string | undefined, field?: string): Promise<number>;
}

/**
 * One MLflow REST endpoint, path relative to `/api` (or `/ajax-api`). `request` documents the
 * message the endpoint reads (message.ts reads it, leniently, as MLflow does); `response` is
 * what the answer is serialized through, and `handle` must produce its static type.
 */
export interface MlflowEndpoint<R extends TSchema = TSchema> {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';
  path: string;
  ability: 'ml:read' | 'ml:write';
  summary: string;
  request: TSchema;
  /** Path parameters, when the path has any. */
  params?: TObject;
  response: R;
  handle(call: MlflowCall): Promise<Static<R> | JsonText>;
}

/** Declares an endpoint with its handler checked against its response message. */
export function endpoint<R extends TSchema>(definition: MlflowEndpoint<R>): MlflowEndpoint {
  return definition as MlflowEndpoint;
}
