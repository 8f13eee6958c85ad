import { OutboundRefusedError, type CheckedTarget, type OutboundPolicy } from '../outbound/outbound-policy.ts';
import { AppError, invalid } from '../shared/errors.ts';

/**
 * Which webhook URLs may be saved. The form is checked here (http(s), no credentials); where it
 * points is the outbound policy's call, asked now and again before every delivery. A refusal
 * and a name that does not resolve read the same, so saving hooks cannot be used to learn
 * which internal names the server's resolver knows; the detail goes to the server's log.
 */
export const WEBHOOK_TARGET_REFUSED = 'url could not be resolved or points to an address that is not allowed';

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
      throw new AppError('invalid', 'WEBHOOK_ADDRESS_NOT_ALLOWED', WEBHOOK_TARGET_REFUSED, { serverLog: `webhook ${url.origin}: ${error.message}` });
    }
    throw error;
  }
}
