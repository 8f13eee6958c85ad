import { pageWindow, PaginationQuery, sendPage } from '../http/pagination.ts';
import { NoContent, replies } from '../http/responses.ts';
import { ProjectIdParams } from '../http/schemas.ts';
import { type App } from '../http/types.ts';
import { readCookie } from './authenticate.ts';
import {
  CreatedProjectToken,
  CreatedToken,
  CreateProjectTokenBody,
  CreateTokenBody,
  CreateUserBody,
  ProjectTokenNative,
  ProjectTokenPage,
  ProjectTokenParams,
  SessionNative,
  SignedIn,
  SignInBody,
  TokenNative,
  TokenPage,
  TokenParams,
  TokensQuery,
  UserAsAdminSees,
  UserPage,
  UserParams,
  UserSeen,
  UsersQuery,
} from './contract.ts';
import type { PersonalTokensService } from './personal-tokens-service.ts';
import { actsAsAdmin, signedInUser } from './policy.ts';
import { presentProjectToken, presentSession, presentToken, presentUser, presentUserAsAdminSees } from './present.ts';
import type { ProjectAccessTokensService } from './project-tokens-service.ts';
import { accessOf } from './request-context.ts';
import { ACCESS_LEVEL } from './roles.ts';
import { CLEARED_SESSION_COOKIE, SESSION_COOKIE, sessionCookie } from './sessions-service.ts';
import type { SignInService } from './sign-in-service.ts';
import type { UserAdminService } from './user-admin-service.ts';
import type { UsersService } from './users-service.ts';
import { SignedOut } from './sso/contract.ts';
import { SsoErrors } from './sso/errors.ts';
import type { SsoService } from './sso/sso-service.ts';

export interface AuthRouteDeps {
  users: UsersService;
  signIn: SignInService;
  personalTokens: PersonalTokensService;
  projectTokens: ProjectAccessTokensService;
  secureCookies: boolean;
  /** MODELYARD_PASSWORD_SIGN_IN: false refuses the password form (tokens still work). */
  passwordSignIn: boolean;
  sso: SsoService;
  /** Administrators see a person's single sign-on links on `GET /users/:id`. */
  userAdmin: UserAdminService;
}

export async function authRoutes(app: App, deps: AuthRouteDeps): Promise<void> {
  const { users, signIn, personalTokens, projectTokens } = deps;

  // --- browser sessions -------------------------------------------------------------------
  app.post(
    '/api/v4/session',
    {
      config: { ability: 'public' },
      schema: { tags: ['session'], summary: 'Sign in with a username and password; sets the session cookie', body: SignInBody, response: replies({ 201: SignedIn }) },
    },
    async (request, reply) => {
      if (!deps.passwordSignIn) throw SsoErrors.PASSWORD_SIGN_IN_DISABLED();
      const session = await signIn.signIn(request.caller, { login: request.body.login, password: request.body.password, ip: request.ip });
      reply.header('Set-Cookie', sessionCookie(session.secret, deps.secureCookies));
      return reply.status(201).send({ user: presentUser(session.user), csrf_token: session.csrfToken });
    },
  );

  app.get(
    '/api/v4/session',
    { config: { ability: 'user:self-read' }, schema: { tags: ['session'], summary: 'The signed-in user and the CSRF token of the session', response: replies({ 200: SessionNative }) } },
    async (request) => {
      const { user, csrfToken } = await signIn.current(request.caller, readCookie(request.headers.cookie, SESSION_COOKIE));
      return presentSession(user, csrfToken);
    },
  );

  app.delete(
    '/api/v4/session',
    {
      config: { ability: 'user:self-write' },
      schema: { tags: ['session'], summary: "Sign out; a session opened through a provider also names the provider's sign-out page", response: replies({ 200: SignedOut, 204: NoContent }) },
    },
    async (request, reply) => {
      const provider = await signIn.signOut(readCookie(request.headers.cookie, SESSION_COOKIE));
      reply.header('Set-Cookie', CLEARED_SESSION_COOKIE);
      const endSessionUrl = provider === null ? null : await deps.sso.endSessionUrl(provider).catch(() => null);
      return endSessionUrl === null ? reply.status(204).send(null) : reply.status(200).send({ end_session_url: endSessionUrl });
    },
  );

  // --- users -------------------------------------------------------------------------------
  app.get('/api/v4/user', { config: { ability: 'user:self-read' }, schema: { tags: ['users'], summary: 'The current user', response: replies({ 200: UserAsAdminSees }) } }, async (request) =>
    presentUserAsAdminSees(await users.getById(signedInUser(request.caller).id)),
  );

  app.get(
    '/api/v4/users',
    {
      config: { ability: 'users:read' },
      schema: {
        tags: ['users'],
        summary: 'List users; administrators see the admin fields, except in a lookup by username',
        querystring: UsersQuery,
        response: replies({ 200: UserPage }),
      },
    },
    async (request, reply) => {
      const window = pageWindow(request.query);
      const page = await users.directory({ username: request.query.username, search: request.query.search, offset: window.offset, limit: window.limit });
      const present = request.query.username === undefined && actsAsAdmin(request.caller) ? presentUserAsAdminSees : presentUser;
      return sendPage(request, reply, window, { total: page.total, items: page.items.map(present) });
    },
  );

  app.get(
    '/api/v4/users/:user_id',
    { config: { ability: 'users:read' }, schema: { tags: ['users'], summary: 'One user', params: UserParams, response: replies({ 200: UserSeen }) } },
    async (request) => {
      const user = await users.getById(request.params.user_id);
      if (!actsAsAdmin(request.caller)) return presentUser(user);
      return { ...presentUserAsAdminSees(user), identities: await deps.userAdmin.identities(user.id) };
    },
  );

  app.post(
    '/api/v4/users',
    {
      config: { ability: 'admin:write' },
      schema: { tags: ['users'], summary: 'Create a user (administrators)', body: CreateUserBody, response: replies({ 201: UserAsAdminSees }) },
    },
    async (request, reply) => {
      const body = request.body;
      const user = await users.create({ username: body.username, name: body.name, email: body.email ?? null, password: body.password, isAdmin: body.admin ?? false }, request.caller);
      return reply.status(201).send(presentUserAsAdminSees(user));
    },
  );

  // --- personal access tokens ---------------------------------------------------------------
  app.get(
    '/api/v4/personal_access_tokens',
    {
      config: { ability: 'user:tokens-read' },
      schema: {
        tags: ['tokens'],
        summary: "List the caller's personal access tokens (administrators may pass user_id)",
        querystring: TokensQuery,
        response: replies({ 200: TokenPage }),
      },
    },
    async (request, reply) => {
      const window = pageWindow(request.query);
      const page = await personalTokens.list(request.caller, request.query.user_id, window);
      return sendPage(request, reply, window, { total: page.total, items: page.items.map(presentToken) });
    },
  );

  app.get(
    '/api/v4/personal_access_tokens/self',
    { config: { ability: 'user:self-read' }, schema: { tags: ['tokens'], summary: 'The token used for this request', response: replies({ 200: TokenNative }) } },
    async (request) => presentToken(await personalTokens.current(request.caller)),
  );

  app.get(
    '/api/v4/personal_access_tokens/:token_id',
    { config: { ability: 'user:tokens-read' }, schema: { tags: ['tokens'], summary: 'One personal access token', params: TokenParams, response: replies({ 200: TokenNative }) } },
    async (request) => presentToken(await personalTokens.get(request.caller, request.params.token_id)),
  );

  app.delete(
    '/api/v4/personal_access_tokens/self',
    { config: { ability: 'user:self-write' }, schema: { tags: ['tokens'], summary: 'Revoke the token used for this request', response: replies({ 204: NoContent }) } },
    async (request, reply) => {
      await personalTokens.revokeCurrent(request.caller);
      return reply.status(204).send(null);
    },
  );

  app.delete(
    '/api/v4/personal_access_tokens/:token_id',
    { config: { ability: 'user:tokens-write' }, schema: { tags: ['tokens'], summary: 'Revoke a personal access token', params: TokenParams, response: replies({ 204: NoContent }) } },
    async (request, reply) => {
      await personalTokens.revoke(request.caller, request.params.token_id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v4/user/personal_access_tokens',
    {
      config: { ability: 'user:tokens-write' },
      schema: { tags: ['tokens'], summary: 'Create a personal access token for the caller; the secret is shown once', body: CreateTokenBody, response: replies({ 201: CreatedToken }) },
    },
    async (request, reply) => {
      const created = await personalTokens.createOwn(request.caller, { name: request.body.name, scopes: request.body.scopes, expiresAt: request.body.expires_at });
      return reply.status(201).send({ ...presentToken(created.row), token: created.secret });
    },
  );

  app.post(
    '/api/v4/users/:user_id/personal_access_tokens',
    {
      config: { ability: 'admin:write' },
      schema: {
        tags: ['tokens'],
        summary: 'Create a personal access token for a user (administrators)',
        params: UserParams,
        body: CreateTokenBody,
        response: replies({ 201: CreatedToken }),
      },
    },
    async (request, reply) => {
      const created = await personalTokens.createFor(request.caller, request.params.user_id, { name: request.body.name, scopes: request.body.scopes, expiresAt: request.body.expires_at });
      return reply.status(201).send({ ...presentToken(created.row), token: created.secret });
    },
  );

  // --- project access tokens -----------------------------------------------------------------
  app.get(
    '/api/v4/projects/:id/access_tokens',
    {
      config: { ability: 'access-tokens:read' },
      schema: { tags: ['tokens'], summary: "List a project's access tokens", params: ProjectIdParams, querystring: PaginationQuery, response: replies({ 200: ProjectTokenPage }) },
    },
    async (request, reply) => {
      const window = pageWindow(request.query);
      const page = await projectTokens.list(accessOf(request), window);
      return sendPage(request, reply, window, { total: page.total, items: page.items.map((token) => presentProjectToken(token.row, token.accessLevel)) });
    },
  );

  app.get(
    '/api/v4/projects/:id/access_tokens/:token_id',
    { config: { ability: 'access-tokens:read' }, schema: { tags: ['tokens'], summary: 'One project access token', params: ProjectTokenParams, response: replies({ 200: ProjectTokenNative }) } },
    async (request) => {
      const token = await projectTokens.get(accessOf(request), request.params.token_id);
      return presentProjectToken(token.row, token.accessLevel);
    },
  );

  app.post(
    '/api/v4/projects/:id/access_tokens',
    {
      config: { ability: 'access-tokens:manage' },
      schema: {
        tags: ['tokens'],
        summary: 'Create a project access token (a bot member with the given role); the secret is shown once',
        params: ProjectIdParams,
        body: CreateProjectTokenBody,
        response: replies({ 201: CreatedProjectToken }),
      },
    },
    async (request, reply) => {
      const body = request.body;
      const created = await projectTokens.create(accessOf(request), {
        name: body.name,
        scopes: body.scopes,
        accessLevel: body.access_level ?? ACCESS_LEVEL.maintainer,
        expiresAt: body.expires_at,
      });
      return reply.status(201).send({ ...presentProjectToken(created.row, created.accessLevel), token: created.secret });
    },
  );

  app.delete(
    '/api/v4/projects/:id/access_tokens/:token_id',
    { config: { ability: 'access-tokens:manage' }, schema: { tags: ['tokens'], summary: 'Revoke a project access token', params: ProjectTokenParams, response: replies({ 204: NoContent }) } },
    async (request, reply) => {
      await projectTokens.revoke(accessOf(request), request.params.token_id);
      return reply.status(204).send(null);
    },
  );
}
