import type { Static } from 'typebox';
import { RegistryEvents } from '../registry/events.ts';

/**
 * Every event the outbox carries: name → payload schema, one map assembled from each domain's
 * `events.ts`. The outbox writer, the webhook dispatcher and the pipeline triggers are typed on
 * it, and the webhook documentation lists it.
 */
export const EVENT_SCHEMAS = {
  ...RegistryEvents,
} as const;

export type EventMap = { [N in keyof typeof EVENT_SCHEMAS]: Static<(typeof EVENT_SCHEMAS)[N]> };
export type EventName = keyof EventMap;
