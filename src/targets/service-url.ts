import { OutboundRefusedError, type OutboundPolicy } from '../outbound/outbound-policy.ts';

/**
 * Why a target's API URL (a Kubernetes API server, a Vertex AI or Cloud Storage endpoint) cannot
 * be used, or null when it can: it must be http(s), carry no credentials, query or fragment (the
 * credentials have their own sealed fields), and pass the outbound address policy.
 */
export async function serviceUrlRefusal(text: string, outbound: OutboundPolicy, credentialField: string): Promise<string | null> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'it is not a URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'it must be an https:// (or http://) URL';
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') return `it must hold no user, password, query or fragment (the credential goes in \`${credentialField}\`)`;
  try {
    await outbound.checkUrl(url);
  } catch (error) {
    if (error instanceof OutboundRefusedError) return `the outbound policy refuses ${url.host} (an administrator may allow it with MODELYARD_OUTBOUND_ALLOW)`;
    return `${url.hostname} does not resolve`;
  }
  return null;
}
