import type { Static } from 'typebox';
import { DeploymentEvents } from '../deployments/events.ts';
import { IssueEvents } from '../issues/events.ts';
import { AgentEvents } from '../targets/local-agent/events.ts';
import { ImportEvents } from '../imports/events.ts';
import { PackagesEvents } from '../packages/events.ts';
import { ProjectEvents } from '../projects/events.ts';
import { RegistryEvents } from '../registry/events.ts';
import { TrackingEvents } from '../tracking/events.ts';

/**
 * Every event the outbox carries: name → payload schema, one map assembled from each domain's
 * `events.ts`. The outbox writer, the webhook dispatcher and the pipeline triggers are typed on
 * it, and the webhook documentation lists it.
 */
export const EVENT_SCHEMAS = {
  ...ProjectEvents,
  ...RegistryEvents,
  ...TrackingEvents,
  ...PackagesEvents,
  ...DeploymentEvents,
  ...AgentEvents,
  ...IssueEvents,
  ...ImportEvents,
} as const;

export type EventMap = { [N in keyof typeof EVENT_SCHEMAS]: Static<(typeof EVENT_SCHEMAS)[N]> };
export type EventName = keyof EventMap;
