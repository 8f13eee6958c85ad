import * as oidc from 'openid-client';
import { SsoErrors } from './errors.ts';
import type { SsoProvider } from './sso-config.ts';

/**
 * The configured providers and their OpenID configuration, discovered at first use and kept:
 * the server starts while a provider is down, and a failed discovery is tried again on the
 * next sign-in instead of being remembered.
 */
export class OidcClients {
  private readonly discovered = new Map<string, Promise<oidc.Configuration>>();
  private readonly byId: Map<string, SsoProvider>;

  constructor(readonly providers: readonly SsoProvider[]) {
    this.byId = new Map(providers.map((p) => [p.id, p]));
  }

  provider(id: string): SsoProvider {
    const provider = this.byId.get(id);
    if (!provider) throw SsoErrors.PROVIDER_NOT_FOUND({ provider: id });
    return provider;
  }

  async configuration(provider: SsoProvider): Promise<oidc.Configuration> {
    let found = this.discovered.get(provider.id);
    if (!found) {
      // sso-config.ts admits plain http only for a loopback issuer.
      const insecure = new URL(provider.issuer).protocol === 'http:' ? [oidc.allowInsecureRequests] : [];
      // The ID token's signature is checked against the provider's published keys even though it
      // comes straight from the token endpoint (the spec lets a client rely on TLS alone there;
      // openid-client does unless told otherwise): a forged or altered token is refused.
      found = oidc.discovery(new URL(provider.issuer), provider.clientId, provider.clientSecret, undefined, { execute: [...insecure, oidc.enableNonRepudiationChecks], timeout: 10 });
      this.discovered.set(provider.id, found);
      found.catch(() => this.discovered.delete(provider.id));
    }
    try {
      return await found;
    } catch {
      throw SsoErrors.PROVIDER_UNAVAILABLE({ provider: provider.id });
    }
  }
}
