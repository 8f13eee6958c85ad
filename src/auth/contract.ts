import { Type, type Static } from 'typebox';
import { PaginationQuery } from '../http/pagination-query.ts';
import { Closed } from '../http/responses.ts';
import { NumericId, ProjectIdParams } from '../http/schemas.ts';

/**
 * The native API of people and their credentials: browser sessions, users, personal and
 * project access tokens. Request and response schemas; the web UI imports the static types.
 */

/** What a token may be used for, as GitLab names it. */
/** `serve`: the serving gateway only (docs/permissions.md); `api` does not imply it. */
export const TOKEN_SCOPES = ['api', 'read_api', 'read_model_registry', 'write_model_registry', 'serve'] as const;

const IsoTime = Type.String({ format: 'date-time', description: 'ISO 8601 date and time (UTC)' });

// --- users -----------------------------------------------------------------------------------

const userFields = {
  id: Type.Integer(),
  username: Type.String(),
  name: Type.String(),
  state: Type.Union([Type.Literal('active'), Type.Literal('blocked')], { description: 'A blocked user can neither sign in nor use a token' }),
  bot: Type.Boolean({ description: "A project access token's user, not a person" }),
  created_at: IsoTime,
};

/** A user as anyone signed in sees them (GitLab's `UserBasic`). */
export const UserNative = Closed(userFields, { description: 'A user' });
export type UserNative = Static<typeof UserNative>;

/** GitLab's `identities` of a user, as administrators see them. */
export const UserIdentity = Closed({ provider: Type.String(), extern_uid: Type.String() }, { description: "A link to the person's account at a single sign-on provider" });
export type UserIdentity = Static<typeof UserIdentity>;

/** A user as administrators (and the user themselves) see them. */
export const UserAsAdminSees = Closed(
  {
    ...userFields,
    email: Type.Union([Type.String(), Type.Null()]),
    is_admin: Type.Boolean(),
    identities: Type.Optional(Type.Array(UserIdentity, { description: 'Single sign-on links; in `GET /users/:id` and `PUT /users/:id` for administrators' })),
  },
  { description: 'A user, with the fields administrators and the user themselves see' },
);
export type UserAsAdminSees = Static<typeof UserAsAdminSees>;

/** A user in a list or lookup: administrators see the admin fields, others the basic ones. */
export const UserSeen = Type.Union([UserAsAdminSees, UserNative], { description: 'A user; administrators also see the email and administrator fields' });
export type UserSeen = Static<typeof UserSeen>;

export const UserPage = Type.Array(UserSeen, { description: 'A page of users; the X-Total, X-Next-Page and Link headers say what follows' });

export const UserParams = Type.Object({ user_id: NumericId });
export type UserParams = Static<typeof UserParams>;
export const UserIdentityParams = Type.Object({ user_id: NumericId, provider: Type.String({ minLength: 1, maxLength: 40 }) });

export const UsersQuery = Type.Intersect([
  PaginationQuery,
  Type.Object({
    search: Type.Optional(Type.String({ maxLength: 255, description: 'Part of the username or name' })),
    username: Type.Optional(Type.String({ maxLength: 255, description: 'Exactly this username (case-insensitive); people only' })),
  }),
]);
export type UsersQuery = Static<typeof UsersQuery>;

export const CreateUserBody = Closed({
  username: Type.String({ minLength: 1, maxLength: 255 }),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
  email: Type.Optional(Type.String({ format: 'email', maxLength: 255 })),
  password: Type.String({ minLength: 1, maxLength: 1024 }),
  admin: Type.Optional(Type.Boolean()),
});
export type CreateUserBody = Static<typeof CreateUserBody>;

export const UpdateUserBody = Type.Object(
  {
    admin: Type.Optional(Type.Boolean()),
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    email: Type.Optional(Type.String({ format: 'email', maxLength: 255 })),
    provider: Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: 'With extern_uid: link the user to their account at this single sign-on provider' })),
    extern_uid: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: "The account's subject (`sub`) at the provider" })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateUserBody = Static<typeof UpdateUserBody>;

/** `PUT /user/password`: a person changes their own password, proving the current one. */
export const ChangePasswordBody = Closed({
  current_password: Type.String({ minLength: 1, maxLength: 1024 }),
  new_password: Type.String({ minLength: 1, maxLength: 1024 }),
});
export type ChangePasswordBody = Static<typeof ChangePasswordBody>;

export const PasswordChanged = Closed(
  { sessions_ended: Type.Integer({ description: "How many of the person's other browser sessions were signed out" }) },
  { description: 'The password was changed' },
);
export type PasswordChanged = Static<typeof PasswordChanged>;

/** What `POST /users/:id/block` and `/unblock` answer, as GitLab does. */
export const BlockAnswer = Type.Boolean({ description: 'true' });

// --- browser sessions ------------------------------------------------------------------------

export const SignInBody = Closed({
  login: Type.String({ minLength: 1, maxLength: 255 }),
  password: Type.String({ minLength: 1, maxLength: 1024 }),
});
export type SignInBody = Static<typeof SignInBody>;

/** A new browser session: the cookie is set, and the page keeps the CSRF token for its writes. */
export const SignedIn = Closed(
  { user: UserNative, csrf_token: Type.String({ description: 'Send it as X-CSRF-Token with every write made with the session cookie' }) },
  { description: "The signed-in user and the session's CSRF token" },
);
export type SignedIn = Static<typeof SignedIn>;

export const SessionNative = Closed(
  { user: UserNative, csrf_token: Type.Union([Type.String(), Type.Null()], { description: 'null when the request was not made with a session cookie' }) },
  { description: 'The signed-in user and the CSRF token of the session' },
);
export type SessionNative = Static<typeof SessionNative>;

// --- access tokens ---------------------------------------------------------------------------

const tokenFields = {
  id: Type.Integer(),
  name: Type.String(),
  kind: Type.Union([Type.Literal('personal'), Type.Literal('project')]),
  scopes: Type.Array(Type.String(), { description: `Some of ${TOKEN_SCOPES.join(', ')}` }),
  user_id: Type.Integer({ description: 'The owner; for a project access token, its bot user' }),
  project_id: Type.Union([Type.Integer(), Type.Null()], { description: 'The one project a project access token reaches; null for personal tokens' }),
  token_hint: Type.String({ description: 'The first characters of the secret, to recognise it by' }),
  revoked: Type.Boolean(),
  active: Type.Boolean({ description: 'Neither revoked nor expired' }),
  created_at: IsoTime,
  expires_at: Type.Union([Type.String({ format: 'date' }), Type.Null()], { description: 'The last day it works (YYYY-MM-DD); null for no expiry' }),
  last_used_at: Type.Union([IsoTime, Type.Null()], { description: 'Updated at most once a minute' }),
};

/** A personal access token; the secret itself is never shown again after creation. */
export const TokenNative = Closed(tokenFields, { description: 'An access token (without its secret)' });
export type TokenNative = Static<typeof TokenNative>;

export const TokenPage = Type.Array(TokenNative, { description: 'A page of personal access tokens; the X-Total, X-Next-Page and Link headers say what follows' });

const secretField = { token: Type.String({ description: 'The secret, shown this once' }) };

export const CreatedToken = Closed({ ...tokenFields, ...secretField }, { description: 'A new access token with its secret, shown this once' });
export type CreatedToken = Static<typeof CreatedToken>;

const projectTokenFields = {
  ...tokenFields,
  access_level: Type.Union([Type.Integer(), Type.Null()], { description: "The bot's role in the project; null once revoked" }),
};

export const ProjectTokenNative = Closed(projectTokenFields, { description: 'A project access token (without its secret)' });
export type ProjectTokenNative = Static<typeof ProjectTokenNative>;

export const ProjectTokenPage = Type.Array(ProjectTokenNative, { description: 'A page of project access tokens; the X-Total, X-Next-Page and Link headers say what follows' });

export const CreatedProjectToken = Closed({ ...projectTokenFields, ...secretField }, { description: 'A new project access token with its secret, shown this once' });
export type CreatedProjectToken = Static<typeof CreatedProjectToken>;

const tokenBodyFields = {
  name: Type.String({ minLength: 1, maxLength: 255 }),
  scopes: Type.Array(Type.String({ maxLength: 64 }), { minItems: 1, maxItems: TOKEN_SCOPES.length }),
  expires_at: Type.Optional(Type.Union([Type.String({ maxLength: 40, description: 'YYYY-MM-DD or an ISO date-time, in the future' }), Type.Null()])),
};

export const CreateTokenBody = Closed(tokenBodyFields);
export type CreateTokenBody = Static<typeof CreateTokenBody>;

/** GitLab's rotation: the old token is revoked and a new one with its name and scopes made, expiring in a week unless told. */
export const RotateTokenQuery = Type.Object({ expires_at: Type.Optional(Type.String({ maxLength: 40, description: 'YYYY-MM-DD or an ISO date-time, in the future' })) });
export type RotateTokenQuery = Static<typeof RotateTokenQuery>;
export const ROTATED_TOKEN_DAYS = 7;

export const CreateProjectTokenBody = Closed({
  ...tokenBodyFields,
  access_level: Type.Optional(Type.Integer({ description: "The bot's role: 10, 20, 30, 40 (the default) or 50, at most the creator's" })),
});
export type CreateProjectTokenBody = Static<typeof CreateProjectTokenBody>;

export const TokensQuery = Type.Intersect([PaginationQuery, Type.Object({ user_id: Type.Optional(NumericId) })]);
export type TokensQuery = Static<typeof TokensQuery>;

export const TokenParams = Type.Object({ token_id: NumericId });
export type TokenParams = Static<typeof TokenParams>;

export const ProjectTokenParams = Type.Intersect([ProjectIdParams, Type.Object({ token_id: NumericId })]);
export type ProjectTokenParams = Static<typeof ProjectTokenParams>;
