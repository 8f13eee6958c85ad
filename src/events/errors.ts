import { defineErrors, notFound } from '../shared/errors.ts';

/**
 * What saving a webhook whose URL the outbound policy refuses answers. A refusal and a name that
 * does not resolve read the same, so saving hooks cannot be used to learn which internal names
 * the server's resolver knows; pass the detail as `{ serverLog }`, which goes to the server's log.
 */
export const WEBHOOK_TARGET_REFUSED = 'url could not be resolved or points to an address that is not allowed';

export const EventErrors = defineErrors('events', {
  WEBHOOK_ADDRESS_NOT_ALLOWED: { kind: 'invalid', message: WEBHOOK_TARGET_REFUSED },
});

export const webhookNotFound = () => notFound('404 Hook');
