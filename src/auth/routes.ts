import { Type } from 'typebox';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { recordAudit } from '../events/audit-log.ts';
import { pageWindow, PaginationQuery, sendPage } from '../http/pagination.ts';
import { NumericId, ProjectIdParams } from '../http/schemas.ts';
import { type App } from '../http/types.ts';
import { accessOf } from './request-context.ts';
import { forbidden, invalid, notFound, unauthenticated } from '../shared/errors.ts';
import { TOKEN_SCOPES, type Caller } from './caller.ts';
import { readCookie } from './authenticate.ts';
import { actsAsAdmin } from './policy.ts';
import { ACCESS_LEVEL } from './roles.ts';
import { SESSION_COOKIE, SESSION_LIFETIME_MS, type SessionsService } from './sessions-service.ts';
import { presentToken, type TokenRow, type TokensService } from './tokens-service.ts';
import { presentUser, presentUserForAdmin, type UsersService } from './users-service.ts';
import type { ProjectAccessTokensService } from './project-tokens-service.ts';
import type { SignInThrottle } from './sign-in-throttle.ts';

export interface AuthRouteDeps {
  db: Kysely<Schema>;
  users: UsersService;
  tokens: TokensService;
  sessions: SessionsService;
  projectTokens: ProjectAccessTokensService;
  signInThrottle: SignInThrottle;
  secureCookies: boolean;
}

const TokenBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 255 }),
    scopes: Type.Array(Type.String({ maxLength: 64 }), { minItems: 1, maxItems: TOKEN_SCOPES.length }),
    expires_at: Type.Optional(Type.Union([Type.String({ maxLength: 40 }), Type.Null()])),
  },
  { additionalProperties: false },
);

function signedInUser(caller: Caller) {
  if (!caller.user) throw unauthenticated();
  return caller.user;
}

/** A token is visible to its owner and to site admins; anyone else gets 404. */
function assertOwnsToken(caller: Caller, token: TokenRow): void {
  if (token.kind !== 'personal') throw notFound('404 Token');
  if (token.user_id !== caller.user?.id && !actsAsAdmin(caller)) throw notFound('404 Token');
}

export async function authRoutes(app: App, deps: AuthRouteDeps): Promise<void> {
  const { users, tokens, sessions } = deps;

  // --- browser sessions -------------------------------------------------------------------
  app.post(
    '/api/v4/session',
    {
      config: { ability: 'public' },
      schema: {
        tags: ['session'],
        summary: 'Sign in with a username and password; sets the session cookie',
        body: Type.Object({ login: Type.String({ minLength: 1, maxLength: 255 }), password: Type.String({ minLength: 1, maxLength: 1024 }) }, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      const { login, password } = request.body;
      // Reserved before the password is checked, so concurrent guesses cannot outrun the limit.
      const attempt = await deps.signInThrottle.reserve(login, request.ip);
      const user = await users.checkPassword(login, password);
      if (!user) {
        await recordAudit(deps.db, request.caller, {
          action: 'authentication.failed',
          targetType: 'login',
          targetId: login.toLowerCase(),
          details: { reason: 'wrong_credentials', via: 'password' },
        });
        throw unauthenticated('401 Unauthorized: invalid login or password');
      }
      await attempt.succeeded();
      const session = await sessions.create(user.id);
      reply.header(
        'Set-Cookie',
        `${SESSION_COOKIE}=${session.secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${SESSION_LIFETIME_MS / 1000}${deps.secureCookies ? '; Secure' : ''}`,
      );
      return reply.status(201).send({ user: presentUser(user), csrf_token: session.csrfToken });
    },
  );

  app.get(
    '/api/v4/session',
    { config: { ability: 'user:self-read' }, schema: { tags: ['session'], summary: 'The signed-in user and the CSRF token of the session' } },
    async (request) => {
      const user = await users.getById(signedInUser(request.caller).id);
      const secret = readCookie(request.headers.cookie, SESSION_COOKIE);
      const session = request.caller.credential === 'session' && secret ? await sessions.find(secret) : undefined;
      return { user: presentUser(user), csrf_token: session?.csrf_token ?? null };
    },
  );

  app.delete(
    '/api/v4/session',
    { config: { ability: 'user:self-write' }, schema: { tags: ['session'], summary: 'Sign out' } },
    async (request, reply) => {
      const secret = readCookie(request.headers.cookie, SESSION_COOKIE);
      if (secret) await sessions.destroy(secret);
      reply.header('Set-Cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`);
      return reply.status(204).send();
    },
  );

  // --- users -------------------------------------------------------------------------------
  app.get('/api/v4/user', { config: { ability: 'user:self-read' }, schema: { tags: ['users'], summary: 'The current user' } }, async (request) => {
    const user = await users.getById(signedInUser(request.caller).id);
    return presentUserForAdmin(user);
  });

  app.get(
    '/api/v4/users',
    {
      config: { ability: 'users:read' },
      schema: { tags: ['users'], summary: 'List users', querystring: Type.Intersect([PaginationQuery, Type.Object({ search: Type.Optional(Type.String({ maxLength: 255 })), username: Type.Optional(Type.String({ maxLength: 255 })) })]) },
    },
    async (request, reply) => {
      const window = pageWindow(request.query);
      if (request.query.username !== undefined) {
        const user = await users.findByUsername(request.query.username);
        const items = user && !user.is_bot ? [presentUser(user)] : [];
        return sendPage(request, reply, window, { total: items.length, items });
      }
      const page = await users.list({ search: request.query.search, offset: window.offset, limit: window.limit, includeBots: false });
      const present = actsAsAdmin(request.caller) ? presentUserForAdmin : presentUser;
      return sendPage(request, reply, window, { total: page.total, items: page.items.map(present) });
    },
  );

  app.get(
    '/api/v4/users/:user_id',
    { config: { ability: 'users:read' }, schema: { tags: ['users'], summary: 'One user', params: Type.Object({ user_id: NumericId }) } },
    async (request) => {
      const user = await users.getById(request.params.user_id);
      return actsAsAdmin(request.caller) ? presentUserForAdmin(user) : presentUser(user);
    },
  );

  app.post(
    '/api/v4/users',
    {
      config: { ability: 'admin:write' },
      schema: {
        tags: ['users'],
        summary: 'Create a user (administrators)',
        body: Type.Object(
          {
            username: Type.String({ minLength: 1, maxLength: 255 }),
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
            email: Type.Optional(Type.String({ format: 'email', maxLength: 255 })),
            password: Type.String({ minLength: 1, maxLength: 1024 }),
            admin: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const body = request.body;
      const user = await users.create(
        { username: body.username, name: body.name, email: body.email ?? null, password: body.password, isAdmin: body.admin ?? false },
        request.caller,
      );
      return reply.status(201).send(presentUserForAdmin(user));
    },
  );

  // --- personal access tokens ---------------------------------------------------------------
  app.get(
    '/api/v4/personal_access_tokens',
    {
      config: { ability: 'user:tokens-read' },
      schema: { tags: ['tokens'], summary: "List the caller's personal access tokens (administrators may pass user_id)", querystring: Type.Intersect([PaginationQuery, Type.Object({ user_id: Type.Optional(NumericId) })]) },
    },
    async (request, reply) => {
      const me = signedInUser(request.caller);
      const userId = request.query.user_id ?? me.id;
      if (userId !== me.id && !actsAsAdmin(request.caller)) throw forbidden('403 Forbidden: only administrators can list the tokens of others');
      const window = pageWindow(request.query);
      const page = await tokens.listForUser(userId, window.offset, window.limit);
      return sendPage(request, reply, window, { total: page.total, items: page.items.map(presentToken) });
    },
  );

  app.get('/api/v4/personal_access_tokens/self', { config: { ability: 'user:self-read' }, schema: { tags: ['tokens'], summary: 'The token used for this request' } }, async (request) => {
    if (request.caller.tokenId === null) throw notFound('404 Token');
    return presentToken(await tokens.getById(request.caller.tokenId));
  });

  app.get(
    '/api/v4/personal_access_tokens/:token_id',
    { config: { ability: 'user:tokens-read' }, schema: { tags: ['tokens'], summary: 'One personal access token', params: Type.Object({ token_id: NumericId }) } },
    async (request) => {
      const token = await tokens.getById(request.params.token_id);
      assertOwnsToken(request.caller, token);
      return presentToken(token);
    },
  );

  app.delete('/api/v4/personal_access_tokens/self', { config: { ability: 'user:self-write' }, schema: { tags: ['tokens'], summary: 'Revoke the token used for this request' } }, async (request, reply) => {
    if (request.caller.tokenId === null) throw invalid('this request was not made with a token');
    await tokens.revoke(await tokens.getById(request.caller.tokenId), request.caller);
    return reply.status(204).send();
  });

  app.delete(
    '/api/v4/personal_access_tokens/:token_id',
    { config: { ability: 'user:tokens-write' }, schema: { tags: ['tokens'], summary: 'Revoke a personal access token', params: Type.Object({ token_id: NumericId }) } },
    async (request, reply) => {
      const token = await tokens.getById(request.params.token_id);
      assertOwnsToken(request.caller, token);
      await tokens.revoke(token, request.caller);
      return reply.status(204).send();
    },
  );

  app.post(
    '/api/v4/user/personal_access_tokens',
    { config: { ability: 'user:tokens-write' }, schema: { tags: ['tokens'], summary: 'Create a personal access token for the caller; the secret is shown once', body: TokenBody } },
    async (request, reply) => {
      // Bots never get here: user:tokens-write is for a person's own credentials only.
      const me = signedInUser(request.caller);
      const created = await tokens.create({ userId: me.id, kind: 'personal' }, { name: request.body.name, scopes: request.body.scopes, expiresAt: request.body.expires_at }, request.caller);
      return reply.status(201).send({ ...presentToken(created.row), token: created.secret });
    },
  );

  app.post(
    '/api/v4/users/:user_id/personal_access_tokens',
    { config: { ability: 'admin:write' }, schema: { tags: ['tokens'], summary: 'Create a personal access token for a user (administrators)', params: Type.Object({ user_id: NumericId }), body: TokenBody } },
    async (request, reply) => {
      const user = await users.getById(request.params.user_id);
      if (user.is_bot) throw invalid('bot users get tokens through their project');
      const created = await tokens.create({ userId: user.id, kind: 'personal' }, { name: request.body.name, scopes: request.body.scopes, expiresAt: request.body.expires_at }, request.caller);
      return reply.status(201).send({ ...presentToken(created.row), token: created.secret });
    },
  );

  // --- project access tokens -----------------------------------------------------------------
  app.get(
    '/api/v4/projects/:id/access_tokens',
    { config: { ability: 'access-tokens:read' }, schema: { tags: ['tokens'], summary: "List a project's access tokens", params: ProjectIdParams, querystring: PaginationQuery } },
    async (request, reply) => {
      const window = pageWindow(request.query);
      const page = await tokens.listForProject(accessOf(request).project.id, window.offset, window.limit);
      const items = await Promise.all(page.items.map((row) => deps.projectTokens.present(row)));
      return sendPage(request, reply, window, { total: page.total, items });
    },
  );

  app.get(
    '/api/v4/projects/:id/access_tokens/:token_id',
    { config: { ability: 'access-tokens:read' }, schema: { tags: ['tokens'], summary: 'One project access token', params: Type.Intersect([ProjectIdParams, Type.Object({ token_id: NumericId })]) } },
    async (request) => deps.projectTokens.present(await deps.projectTokens.get(accessOf(request), request.params.token_id)),
  );

  app.post(
    '/api/v4/projects/:id/access_tokens',
    {
      config: { ability: 'access-tokens:manage' },
      schema: {
        tags: ['tokens'],
        summary: 'Create a project access token (a bot member with the given role); the secret is shown once',
        params: ProjectIdParams,
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 255 }),
            scopes: Type.Array(Type.String({ maxLength: 64 }), { minItems: 1, maxItems: TOKEN_SCOPES.length }),
            access_level: Type.Optional(Type.Integer()),
            expires_at: Type.Optional(Type.Union([Type.String({ maxLength: 40 }), Type.Null()])),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const body = request.body;
      const created = await deps.projectTokens.create(accessOf(request), {
        name: body.name,
        scopes: body.scopes,
        accessLevel: body.access_level ?? ACCESS_LEVEL.maintainer,
        expiresAt: body.expires_at,
      });
      return reply.status(201).send({ ...(await deps.projectTokens.present(created.row)), token: created.secret });
    },
  );

  app.delete(
    '/api/v4/projects/:id/access_tokens/:token_id',
    { config: { ability: 'access-tokens:manage' }, schema: { tags: ['tokens'], summary: 'Revoke a project access token', params: Type.Intersect([ProjectIdParams, Type.Object({ token_id: NumericId })]) } },
    async (request, reply) => {
      await deps.projectTokens.revoke(accessOf(request), request.params.token_id);
      return reply.status(204).send();
    },
  );
}
