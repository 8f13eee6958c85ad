import { describe, expect, it } from 'vitest';
import { safeReturnTo } from '../../src/auth/sso/sso-service.ts';
import { loadConfig } from '../../src/config/config.ts';

const provider = { id: 'corp', label: 'Corp', issuer: 'https://id.example.com', client_id: 'modelyard', client_secret: 'a-client-secret' };
const load = (env: Record<string, string>) => () => loadConfig({ MODELYARD_DATA_DIR: '/tmp/modelyard-sso-config', ...env });

describe('single sign-on settings', () => {
  it('read providers with GitLab-named group settings, and defaults for the rest', () => {
    const config = loadConfig({ MODELYARD_DATA_DIR: '/tmp/x', MODELYARD_OIDC_PROVIDERS: JSON.stringify([{ ...provider, admin_groups: ['admins'] }]) });
    expect(config.sso.providers).toEqual([
      {
        id: 'corp',
        label: 'Corp',
        issuer: 'https://id.example.com',
        clientId: 'modelyard',
        clientSecret: 'a-client-secret',
        scopes: 'openid profile email',
        usernameClaim: 'preferred_username',
        groupsAttribute: undefined,
        adminGroups: ['admins'],
        requiredGroups: undefined,
      },
    ]);
    expect(config.sso.passwordSignIn).toBe(true);
    expect(loadConfig({ MODELYARD_DATA_DIR: '/tmp/x' }).sso).toEqual({ providers: [], groupLinks: [], passwordSignIn: true });
  });

  it('name the variable and the problem in one line, never the secret', () => {
    expect(load({ MODELYARD_OIDC_PROVIDERS: '{not json' })).toThrow('MODELYARD_OIDC_PROVIDERS: must be a JSON array');
    expect(load({ MODELYARD_OIDC_PROVIDERS: JSON.stringify([{ ...provider, client_secret: '' }]) })).toThrow(/^MODELYARD_OIDC_PROVIDERS: \/0\/client_secret/);
    expect(load({ MODELYARD_OIDC_PROVIDERS: JSON.stringify([{ ...provider, extra: 1 }]) })).toThrow('MODELYARD_OIDC_PROVIDERS');
    expect(load({ MODELYARD_OIDC_PROVIDERS: JSON.stringify([provider, provider]) })).toThrow('provider id "corp" appears twice');
    expect(load({ MODELYARD_OIDC_PROVIDERS: JSON.stringify([{ ...provider, id: 'Bad Id' }]) })).toThrow('/0/id');
    let message = '';
    try {
      load({ MODELYARD_OIDC_PROVIDERS: JSON.stringify([{ ...provider, client_secret: 7 }]) })();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('client_secret');
    expect(message).not.toContain('a-client-secret');
  });

  it('take plain http issuers on loopback only', () => {
    expect(load({ MODELYARD_OIDC_PROVIDERS: JSON.stringify([{ ...provider, issuer: 'http://id.example.com' }]) })).toThrow('must be https (http only on loopback)');
    expect(load({ MODELYARD_OIDC_PROVIDERS: JSON.stringify([{ ...provider, issuer: 'http://127.0.0.1:9000' }]) })).not.toThrow();
  });

  it('refuse group links to an unknown provider, and turning passwords off with no provider to sign in with', () => {
    const links = JSON.stringify([{ provider: 'other', group: 'team', project: 'vision', access_level: 30 }]);
    expect(load({ MODELYARD_OIDC_PROVIDERS: JSON.stringify([provider]), MODELYARD_OIDC_GROUP_LINKS: links })).toThrow('MODELYARD_OIDC_GROUP_LINKS: names provider "other"');
    expect(load({ MODELYARD_OIDC_PROVIDERS: JSON.stringify([provider]), MODELYARD_OIDC_GROUP_LINKS: links.replace('"other"', '"corp"').replace('30', '50') })).toThrow('MODELYARD_OIDC_GROUP_LINKS');
    expect(load({ MODELYARD_PASSWORD_SIGN_IN: 'false' })).toThrow('MODELYARD_PASSWORD_SIGN_IN: cannot be false without a provider');
  });
});

describe('where a sign-in comes back to', () => {
  it('is a path of this site only', () => {
    expect(safeReturnTo('/projects/7?tab=runs')).toBe('/projects/7?tab=runs');
    for (const elsewhere of [undefined, '', 'https://evil.example', '//evil.example', '/\\evil.example', '/\t/evil.example', '/\n/evil.example', '/a b', 'projects']) {
      expect(safeReturnTo(elsewhere)).toBe('/');
    }
  });
});
