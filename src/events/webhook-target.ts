import { OutboundRefusedError, type CheckedTarget, type OutboundPolicy } from '../outbound/outbound-policy.ts';
import { invalid } from '../shared/errors.ts';
import { EventErrors } from './errors.ts';

export { WEBHOOK_TARGET_REFUSED } from './errors.ts';

/**
 * Which webhook URLs may be saved. The form is checked here (http(s), no credentials); where it
 * points is the outbound policy's call, asked now and again before every delivery. A refusal
 * and a name that does not resolve read the same (WEBHOOK_ADDRESS_NOT_ALLOWED); the detail goes
 * to the server's log.
 */
export async function checkWebhookUrl(raw: string, policy: OutboundPolicy): Promise<{ url: URL; target: CheckedTarget }> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid('url is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid('url must be http:// or https://');
  if (url.username || url.password) throw invalid('url must not carry credentials; the payload is signed instead');
  try {
    return { url, target: await policy.checkUrl(url) };
  } catch (error) {
    if (error instanceof OutboundRefusedError) {
      throw EventErrors.WEBHOOK_ADDRESS_NOT_ALLOWED(undefined, { serverLog: `webhook ${url.origin}: ${error.message}` });
    }
    throw error;
  }
}
