import { Type, type Static } from 'typebox';
import { PaginationQuery } from '../http/pagination-query.ts';
import { Closed } from '../http/responses.ts';
import { NumericId, ProjectIdParams, QueryBoolean } from '../http/schemas.ts';

/** The native API of projects and their members. */

const IsoTime = Type.String({ format: 'date-time', description: 'ISO 8601 date and time (UTC)' });

export const Visibility = Type.Union([Type.Literal('private'), Type.Literal('internal'), Type.Literal('public')], {
  description: 'private: members only; internal: anyone signed in; public: anyone',
});
export type Visibility = Static<typeof Visibility>;

/** GitLab's access levels: 10 guest, 20 reporter, 30 developer, 40 maintainer, 50 owner. */
export const AccessLevel = Type.Integer({ minimum: 10, maximum: 50, description: '10 guest, 20 reporter, 30 developer, 40 maintainer, 50 owner' });

const projectFields = {
  id: Type.Integer(),
  name: Type.String(),
  path: Type.String({ description: 'Unique; usable in URLs in place of the id' }),
  path_with_namespace: Type.String({ description: 'The path (projects have no namespace here)' }),
  name_with_namespace: Type.String({ description: 'The name (projects have no namespace here)' }),
  description: Type.String(),
  visibility: Visibility,
  creator_id: Type.Union([Type.Integer(), Type.Null()], { description: "null once the creator's account is gone" }),
  created_at: IsoTime,
  last_activity_at: IsoTime,
  web_url: Type.String({ description: "The project's page in the web UI" }),
};

/** A project as lists show it. */
export const ProjectNative = Closed(projectFields, { description: 'A project' });
export type ProjectNative = Static<typeof ProjectNative>;

export const ProjectPage = Type.Array(ProjectNative, { description: 'A page of projects; the X-Total, X-Next-Page and Link headers say what follows' });

export const ProjectPermissions = Closed(
  {
    project_access: Type.Union([Closed({ access_level: Type.Integer({ description: "The caller's role as an access level (an administrator counts as owner)" }) }), Type.Null()], {
      description: 'null when the caller reads the project without a role in it',
    }),
    is_admin: Type.Boolean({ description: 'The caller acts as a site administrator' }),
    custom_abilities: Type.Array(Type.String(), { description: "What the caller's custom role adds to their role here (names from src/auth/abilities.ts); empty without one" }),
  },
  { description: 'What the caller may do in the project' },
);
export type ProjectPermissions = Static<typeof ProjectPermissions>;

/** A project read on its own: with what the caller may do in it. */
export const ProjectWithAccess = Closed({ ...projectFields, permissions: ProjectPermissions }, { description: "A project, with the caller's permissions" });
export type ProjectWithAccess = Static<typeof ProjectWithAccess>;

const orderings = ['id', 'name', 'path', 'created_at', 'last_activity_at'] as const;

export const ProjectsQuery = Type.Intersect([
  PaginationQuery,
  Type.Object({
    search: Type.Optional(Type.String({ maxLength: 255, description: 'Part of the name or path' })),
    visibility: Type.Optional(Visibility),
    membership: Type.Optional(QueryBoolean),
    order_by: Type.Optional(Type.Union(orderings.map((v) => Type.Literal(v)))),
    sort: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
  }),
]);
export type ProjectsQuery = Static<typeof ProjectsQuery>;
export type ProjectOrdering = (typeof orderings)[number];

const projectBodyFields = {
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
  path: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'On creation, derived from the name when not given' })),
  description: Type.Optional(Type.String({ maxLength: 20_000 })),
  visibility: Type.Optional(Visibility),
};

export const CreateProjectBody = Closed(projectBodyFields);
export type CreateProjectBody = Static<typeof CreateProjectBody>;

export const UpdateProjectBody = Type.Object(projectBodyFields, { additionalProperties: false, minProperties: 1 });
export type UpdateProjectBody = Static<typeof UpdateProjectBody>;

/** What `DELETE /projects/:id` answers, as GitLab does. */
export const ProjectDeletionAccepted = Closed({ message: Type.Literal('202 Accepted') }, { description: 'The project and everything in it are deleted' });
export type ProjectDeletionAccepted = Static<typeof ProjectDeletionAccepted>;

// --- members ---------------------------------------------------------------------------------

export const MemberNative = Closed(
  {
    id: Type.Integer({ description: "The user's id" }),
    username: Type.String(),
    name: Type.String(),
    state: Type.Union([Type.Literal('active'), Type.Literal('blocked')]),
    bot: Type.Boolean(),
    access_level: Type.Integer(),
    role: Type.String({ description: "The access level's name: guest, reporter, developer, maintainer or owner" }),
    member_role_id: Type.Union([Type.Integer(), Type.Null()], { description: 'The custom role adding abilities to the base role (GET /member_roles), if any' }),
    created_at: IsoTime,
  },
  { description: 'A member of a project: a user with a role' },
);
export type MemberNative = Static<typeof MemberNative>;

export const MemberPage = Type.Array(MemberNative, { description: 'A page of members; the X-Total, X-Next-Page and Link headers say what follows' });

export const MemberParams = Type.Intersect([ProjectIdParams, Type.Object({ user_id: NumericId })]);
export type MemberParams = Static<typeof MemberParams>;

const MemberRoleId = Type.Union([NumericId, Type.Null()], {
  description: 'A custom role (GET /member_roles) whose base_access_level equals access_level; null for none. Left out of a change, the custom role stays while the level does',
});

export const AddMemberBody = Closed({ user_id: NumericId, access_level: AccessLevel, member_role_id: Type.Optional(MemberRoleId) });
export type AddMemberBody = Static<typeof AddMemberBody>;

export const UpdateMemberBody = Closed({ access_level: AccessLevel, member_role_id: Type.Optional(MemberRoleId) });
export type UpdateMemberBody = Static<typeof UpdateMemberBody>;
