import { Type, type Static, type TSchema } from 'typebox';
import { Value } from 'typebox/value';

/**
 * One OpenID Connect provider, from `MODELYARD_OIDC_PROVIDERS` (a JSON array). The names follow
 * GitLab's OmniAuth OpenID Connect settings where GitLab has one (`groups_attribute`,
 * `admin_groups`, `required_groups`), so an operator moving from GitLab recognises them.
 */
const ProviderSetting = Type.Object(
  {
    /** In URLs (`/users/auth/:id/callback`) and identity links: letters, digits, `_` and `-`. */
    id: Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,39}$' }),
    label: Type.String({ minLength: 1, maxLength: 80 }),
    issuer: Type.String({ minLength: 1, maxLength: 2000 }),
    client_id: Type.String({ minLength: 1, maxLength: 500 }),
    client_secret: Type.String({ minLength: 1, maxLength: 2000 }),
    scopes: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
    /** The claim a new account's username comes from. */
    username_claim: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    /** The claim holding the person's groups (an array of strings). */
    groups_attribute: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    /** Members of any of these groups are instance administrators; others are not. */
    admin_groups: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 255 }), { maxItems: 100 })),
    /** When set, only members of one of these groups may sign in. */
    required_groups: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 255 }), { maxItems: 100 })),
  },
  { additionalProperties: false },
);
const ProviderSettings = Type.Array(ProviderSetting, { maxItems: 10 });

/** A project role given to the members of a provider's group (seeded by `MODELYARD_OIDC_GROUP_LINKS`). */
const GroupLinkSetting = Type.Object(
  {
    provider: Type.String({ minLength: 1, maxLength: 40 }),
    group: Type.String({ minLength: 1, maxLength: 255 }),
    /** The project's path (`team/project`) or id. */
    project: Type.Union([Type.String({ minLength: 1, maxLength: 255 }), Type.Integer({ minimum: 1 })]),
    access_level: Type.Union([Type.Literal(10), Type.Literal(20), Type.Literal(30), Type.Literal(40)]),
  },
  { additionalProperties: false },
);
const GroupLinkSettings = Type.Array(GroupLinkSetting, { maxItems: 1000 });

export interface SsoProvider {
  id: string;
  label: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  scopes: string;
  usernameClaim: string;
  groupsAttribute: string | undefined;
  adminGroups: string[] | undefined;
  requiredGroups: string[] | undefined;
}

export type GroupLinkSeed = Static<typeof GroupLinkSetting>;

export interface SsoConfig {
  providers: SsoProvider[];
  groupLinks: GroupLinkSeed[];
  /** `MODELYARD_PASSWORD_SIGN_IN=false`: people sign in only through a provider (tokens still work). */
  passwordSignIn: boolean;
}

/** A problem in one variable; config.ts turns it into its one-line ConfigError. */
export class SsoSettingError extends Error {
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(detail);
  }
}

function parseJson<T>(variable: string, raw: string | undefined, schema: TSchema): T | undefined {
  if (raw === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new SsoSettingError(variable, 'must be a JSON array');
  }
  if (!Value.Check(schema, value)) {
    const first = [...Value.Errors(schema, value)][0];
    // The message names where and what is wrong, never the value: a client secret may be in it.
    throw new SsoSettingError(variable, `${first?.instancePath || 'the value'} ${first?.message ?? 'is not valid'}`);
  }
  return value as T;
}

/**
 * Plain http issuers are taken only on loopback (a provider on the same machine, as in the
 * tests); anywhere else the ID token and the client secret would cross the network in clear.
 */
function checkIssuer(variable: string, issuer: string): void {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new SsoSettingError(variable, `issuer "${issuer}" is not a URL`);
  }
  const loopback = url.hostname === '127.0.0.1' || url.hostname === '[::1]' || url.hostname === 'localhost';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) throw new SsoSettingError(variable, `issuer "${issuer}" must be https (http only on loopback)`);
}

export function readSsoConfig(providersRaw: string | undefined, groupLinksRaw: string | undefined, passwordSignIn: boolean): SsoConfig {
  const variable = 'MODELYARD_OIDC_PROVIDERS';
  const settings = parseJson<Static<typeof ProviderSettings>>(variable, providersRaw, ProviderSettings) ?? [];
  const ids = new Set<string>();
  for (const setting of settings) {
    if (ids.has(setting.id)) throw new SsoSettingError(variable, `provider id "${setting.id}" appears twice`);
    ids.add(setting.id);
    checkIssuer(variable, setting.issuer);
  }
  const groupLinks = parseJson<GroupLinkSeed[]>('MODELYARD_OIDC_GROUP_LINKS', groupLinksRaw, GroupLinkSettings) ?? [];
  for (const link of groupLinks) {
    if (!ids.has(link.provider)) throw new SsoSettingError('MODELYARD_OIDC_GROUP_LINKS', `names provider "${link.provider}", which MODELYARD_OIDC_PROVIDERS does not define`);
  }
  if (!passwordSignIn && settings.length === 0) throw new SsoSettingError('MODELYARD_PASSWORD_SIGN_IN', 'cannot be false without a provider in MODELYARD_OIDC_PROVIDERS: nobody could sign in');
  return {
    providers: settings.map((s) => ({
      id: s.id,
      label: s.label,
      issuer: s.issuer,
      clientId: s.client_id,
      clientSecret: s.client_secret,
      scopes: s.scopes ?? 'openid profile email',
      usernameClaim: s.username_claim ?? 'preferred_username',
      groupsAttribute: s.groups_attribute,
      adminGroups: s.admin_groups,
      requiredGroups: s.required_groups,
    })),
    groupLinks,
    passwordSignIn,
  };
}
