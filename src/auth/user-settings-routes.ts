import { replies } from '../http/responses.ts';
import type { App } from '../http/types.ts';
import { readCookie } from './authenticate.ts';
import { ChangePasswordBody, CreatedToken, PasswordChanged, RotateTokenQuery, TokenParams } from './contract.ts';
import type { PasswordChangeService } from './password-change-service.ts';
import type { PersonalTokensService } from './personal-tokens-service.ts';
import { presentToken } from './present.ts';
import { SESSION_COOKIE } from './sessions-service.ts';
import { SsoErrors } from './sso/errors.ts';

/** What a person does to their own account: change their password, rotate a token. */
export async function userSettingsRoutes(app: App, deps: { passwordChange: PasswordChangeService; personalTokens: PersonalTokensService; passwordSignIn: boolean }): Promise<void> {
  const { passwordChange, personalTokens } = deps;

  app.put(
    '/api/v4/user/password',
    {
      config: { ability: 'user:password' },
      schema: {
        tags: ['users'],
        summary: 'Change your own password, giving the current one (throttled as sign-in is); signs you out of every other browser',
        body: ChangePasswordBody,
        response: replies({ 200: PasswordChanged }),
      },
    },
    async (request) => {
      // With the password form off nobody signs in with a password, so none is set either.
      if (!deps.passwordSignIn) throw SsoErrors.PASSWORD_SIGN_IN_DISABLED();
      const keepSession = request.caller.credential === 'session' ? readCookie(request.headers.cookie, SESSION_COOKIE) : undefined;
      const { sessionsEnded } = await passwordChange.change(request.caller, { currentPassword: request.body.current_password, newPassword: request.body.new_password, keepSession });
      return { sessions_ended: sessionsEnded };
    },
  );

  app.post(
    '/api/v4/personal_access_tokens/:token_id/rotate',
    {
      config: { ability: 'user:tokens-write' },
      schema: {
        tags: ['tokens'],
        summary: 'Rotate a personal access token: it is revoked and a new one with its name and scopes answered, expiring in a week unless expires_at says otherwise',
        params: TokenParams,
        querystring: RotateTokenQuery,
        response: replies({ 200: CreatedToken }),
      },
    },
    async (request) => {
      const created = await personalTokens.rotate(request.caller, request.params.token_id, request.query.expires_at);
      return { ...presentToken(created.row), token: created.secret };
    },
  );
}
