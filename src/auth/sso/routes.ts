import { NoContent, replies } from '../../http/responses.ts';
import type { App } from '../../http/types.ts';
import { AppError } from '../../shared/errors.ts';
import { readCookie } from '../authenticate.ts';
import { sessionCookie } from '../sessions-service.ts';
import { CallbackQuery, ProviderParams, SignInOptions, StartQuery } from './contract.ts';
import type { OidcClients } from './oidc-clients.ts';
import { SIGN_IN_STATE_LIFETIME_MS } from './sign-in-states.ts';
import type { SsoService } from './sso-service.ts';

/** The browser's half of a sign-in's state; scoped to the sign-in paths and gone after ten minutes. */
const STATE_COOKIE = 'modelyard_sso_state';
const stateCookie = (value: string, secure: boolean) => `${STATE_COOKIE}=${value}; Path=/users/auth; HttpOnly; SameSite=Lax; Max-Age=${SIGN_IN_STATE_LIFETIME_MS / 1000}${secure ? '; Secure' : ''}`;
const CLEARED_STATE_COOKIE = `${STATE_COOKIE}=; Path=/users/auth; HttpOnly; SameSite=Lax; Max-Age=0`;

export interface SsoRouteDeps {
  sso: SsoService;
  clients: OidcClients;
  passwordSignIn: boolean;
  secureCookies: boolean;
}

/**
 * Single sign-on's routes at GitLab's OmniAuth paths (`/users/auth/:provider` and its
 * `/callback`), which a browser opens: a refusal comes back to the web UI's sign-in page with
 * its message (`/?sign_in_error=…`) rather than as a JSON page the person would be stuck on.
 */
export async function ssoRoutes(app: App, deps: SsoRouteDeps): Promise<void> {
  const { sso, clients } = deps;
  const tags = ['session'];

  app.get(
    '/api/v4/session/providers',
    { config: { ability: 'public' }, schema: { tags, summary: 'How people sign in here: password, single sign-on providers', response: replies({ 200: SignInOptions }) } },
    async () => ({
      password_sign_in: deps.passwordSignIn,
      providers: clients.providers.map((p) => ({ id: p.id, label: p.label, sign_in_path: `/users/auth/${p.id}` })),
    }),
  );

  app.get(
    '/users/auth/:provider',
    {
      config: { ability: 'public' },
      schema: { tags, summary: 'Start signing in through a provider: on to its sign-in page', params: ProviderParams, querystring: StartQuery, response: replies({ 302: NoContent }) },
    },
    async (request, reply) => {
      const { url, state } = await sso.start(request.params.provider, request.query.return_to);
      reply.header('Set-Cookie', stateCookie(state, deps.secureCookies));
      return reply.redirect(url, 302);
    },
  );

  app.get(
    '/users/auth/:provider/callback',
    {
      config: { ability: 'public' },
      schema: {
        tags,
        summary: 'Where the provider sends the browser back: sets the session cookie and goes on to the page the sign-in started from',
        params: ProviderParams,
        querystring: CallbackQuery,
        response: replies({ 302: NoContent }),
      },
    },
    async (request, reply) => {
      const query = new URLSearchParams(request.url.split('?')[1] ?? '');
      try {
        const session = await sso.finish(request.caller, request.params.provider, query, readCookie(request.headers.cookie, STATE_COOKIE));
        reply.header('Set-Cookie', [CLEARED_STATE_COOKIE, sessionCookie(session.secret, deps.secureCookies)]);
        return reply.redirect(session.returnTo, 302);
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        request.log.info({ provider: request.params.provider, code: e.code }, 'single sign-on refused');
        reply.header('Set-Cookie', CLEARED_STATE_COOKIE);
        return reply.redirect(`/?sign_in_error=${encodeURIComponent(e.message)}`, 302);
      }
    },
  );
}
