import { NoContent, replies } from '../http/responses.ts';
import type { App } from '../http/types.ts';
import { BlockAnswer, UpdateUserBody, UserAsAdminSees, UserIdentityParams, UserParams } from './contract.ts';
import { SsoErrors } from './sso/errors.ts';
import type { OidcClients } from './sso/oidc-clients.ts';
import { presentUserAsAdminSees } from './present.ts';
import { CLEARED_SESSION_COOKIE } from './sessions-service.ts';
import type { UserAdminService } from './user-admin-service.ts';

const tags = ['users'];

/** GitLab's user administration: `PUT /users/:id`, `POST /users/:id/block`, `POST /users/:id/unblock`. */
export async function userAdminRoutes(app: App, deps: { userAdmin: UserAdminService; oidcClients: OidcClients }): Promise<void> {
  const { userAdmin, oidcClients } = deps;

  app.put(
    '/api/v4/users/:user_id',
    {
      config: { ability: 'admin:write' },
      schema: {
        tags,
        summary: 'Change a user (administrators); a change of administrator rights or password signs the user out of every browser',
        params: UserParams,
        body: UpdateUserBody,
        response: replies({ 200: UserAsAdminSees }),
      },
    },
    async (request, reply) => {
      const { provider, extern_uid: subject, ...changes } = request.body;
      if ((provider === undefined) !== (subject === undefined)) throw SsoErrors.IDENTITY_NEEDS_BOTH();
      const identity = provider === undefined ? undefined : { provider, issuer: oidcClients.provider(provider).issuer, subject: subject! };
      const { user, signedOut } = await userAdmin.update(request.caller, request.params.user_id, { ...changes, identity });
      // An administrator who changed their own rights was signed out too; the browser forgets the cookie.
      if (signedOut && request.caller.credential === 'session' && request.caller.user?.id === user.id) {
        reply.header('Set-Cookie', CLEARED_SESSION_COOKIE);
      }
      return { ...presentUserAsAdminSees(user), identities: await userAdmin.identities(user.id) };
    },
  );

  app.post(
    '/api/v4/users/:user_id/block',
    {
      config: { ability: 'admin:write' },
      schema: { tags, summary: 'Block a user (administrators): sessions and tokens stop working at once', params: UserParams, response: replies({ 201: BlockAnswer }) },
    },
    async (request, reply) => {
      await userAdmin.block(request.caller, request.params.user_id);
      return reply.status(201).send(true);
    },
  );

  app.post(
    '/api/v4/users/:user_id/unblock',
    { config: { ability: 'admin:write' }, schema: { tags, summary: 'Unblock a user (administrators)', params: UserParams, response: replies({ 201: BlockAnswer }) } },
    async (request, reply) => {
      await userAdmin.unblock(request.caller, request.params.user_id);
      return reply.status(201).send(true);
    },
  );

  app.delete(
    '/api/v4/users/:user_id/identities/:provider',
    {
      config: { ability: 'admin:write' },
      schema: { tags, summary: "Remove a user's link to a single sign-on provider (administrators)", params: UserIdentityParams, response: replies({ 204: NoContent }) },
    },
    async (request, reply) => {
      await userAdmin.unlinkIdentity(request.caller, request.params.user_id, request.params.provider);
      return reply.status(204).send(null);
    },
  );
}
