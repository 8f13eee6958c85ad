import { Type, type Static } from 'typebox';
import { UserNative } from '../auth/contract.ts';
import { Closed } from '../http/responses.ts';
import { NumericId, ProjectIdParams } from '../http/schemas.ts';
import { PaginationQuery } from '../http/pagination-query.ts';

/** GitLab's Issues and Notes API shapes (`/projects/:id/issues`, `/projects/:id/issues/:issue_iid/notes`). */

export const MAX_TITLE = 255;
export const MAX_DESCRIPTION = 1_048_576;
export const MAX_NOTE = 1_048_576;
export const MAX_LABELS = 100;
export const MAX_ASSIGNEES = 100;

const IsoTime = Type.String({ format: 'date-time', description: 'ISO 8601 date and time (UTC)' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

export const LINK_TYPES = ['model', 'version', 'experiment', 'run', 'pipeline', 'deployment'] as const;
export type LinkType = (typeof LINK_TYPES)[number];
export const LinkTypeSchema = Type.Union([Type.Literal('model'), Type.Literal('version'), Type.Literal('experiment'), Type.Literal('run'), Type.Literal('pipeline'), Type.Literal('deployment')], {
  description: 'model, version (the version row id, GitLab: model_version_id), experiment, run (32 hex), pipeline or deployment',
});

export const IssueNative = Closed(
  {
    id: Type.Integer(),
    iid: Type.Integer({ description: 'The number of the issue in its project' }),
    project_id: Type.Integer(),
    title: Type.String(),
    description: Type.String({ description: 'Markdown, as written' }),
    description_html: Type.String({ description: 'The description rendered to sanitized HTML, references (#iid, model:name/version) as links' }),
    state: Type.Union([Type.Literal('opened'), Type.Literal('closed')]),
    labels: Type.Array(Type.String()),
    assignees: Type.Array(UserNative),
    assignee: Nullable(UserNative),
    author: Nullable(UserNative),
    closed_by: Nullable(UserNative),
    closed_at: Nullable(IsoTime),
    created_at: IsoTime,
    updated_at: IsoTime,
    due_date: Nullable(Type.String({ description: 'YYYY-MM-DD' })),
    confidential: Type.Boolean(),
    user_notes_count: Type.Integer(),
    issue_type: Type.Literal('issue'),
    type: Type.Literal('ISSUE'),
    web_url: Type.String(),
    references: Closed({ short: Type.String(), relative: Type.String(), full: Type.String() }),
  },
  { description: 'A model-development issue' },
);
export type IssueNative = Static<typeof IssueNative>;
export const IssueList = Type.Array(IssueNative);

export const NoteNative = Closed(
  {
    id: Type.Integer(),
    type: Type.Null(),
    body: Type.String({ description: 'Markdown, as written' }),
    body_html: Type.String({ description: 'The body rendered to sanitized HTML' }),
    author: Nullable(UserNative),
    created_at: IsoTime,
    updated_at: IsoTime,
    system: Type.Boolean(),
    noteable_id: Type.Integer(),
    noteable_type: Type.Literal('Issue'),
    noteable_iid: Type.Integer(),
    project_id: Type.Integer(),
    confidential: Type.Boolean(),
    internal: Type.Boolean(),
    resolvable: Type.Boolean(),
  },
  { description: 'A comment on an issue' },
);
export type NoteNative = Static<typeof NoteNative>;
export const NoteList = Type.Array(NoteNative);

export const IssueLinkNative = Closed(
  {
    id: Type.Integer(),
    issue_iid: Type.Integer(),
    type: LinkTypeSchema,
    target_id: Type.String({ description: 'The linked object: a run id (32 hex) or an integer id, as text' }),
    title: Type.String({ description: 'What the link names, in words (model name and version, run id, …)' }),
    created_at: IsoTime,
  },
  { description: "An issue's link to a model, version, experiment, run, pipeline or deployment" },
);
export type IssueLinkNative = Static<typeof IssueLinkNative>;
export const IssueLinkList = Type.Array(IssueLinkNative);

export const RenderedMarkdown = Closed({ html: Type.String() }, { description: 'Markdown rendered to sanitized HTML' });

// --- requests ------------------------------------------------------------------------------------

export const IssueParams = Type.Intersect([ProjectIdParams, Type.Object({ issue_iid: NumericId })]);
export const NoteParams = Type.Intersect([IssueParams, Type.Object({ note_id: NumericId })]);
export const LinkParams = Type.Intersect([IssueParams, Type.Object({ link_id: NumericId })]);

const Labels = Type.Union([Type.String({ maxLength: 10_000 }), Type.Array(Type.String({ maxLength: 255 }), { maxItems: MAX_LABELS })], {
  description: 'Comma-separated labels, or a list; a scoped label (scope::value) replaces any other of its scope',
});
const AssigneeIds = Type.Array(NumericId, { maxItems: MAX_ASSIGNEES, description: 'Members of the project' });
const DueDate = Nullable(Type.String({ maxLength: 10, description: 'YYYY-MM-DD' }));

export const CreateIssueBody = Type.Object(
  {
    title: Type.String({ maxLength: MAX_TITLE }),
    description: Type.Optional(Type.String({ maxLength: MAX_DESCRIPTION })),
    labels: Type.Optional(Labels),
    assignee_ids: Type.Optional(AssigneeIds),
    assignee_id: Type.Optional(NumericId),
    due_date: Type.Optional(DueDate),
    confidential: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type CreateIssueBody = Static<typeof CreateIssueBody>;

export const UpdateIssueBody = Type.Object(
  {
    title: Type.Optional(Type.String({ maxLength: MAX_TITLE })),
    description: Type.Optional(Type.String({ maxLength: MAX_DESCRIPTION })),
    labels: Type.Optional(Labels),
    add_labels: Type.Optional(Labels),
    remove_labels: Type.Optional(Labels),
    assignee_ids: Type.Optional(AssigneeIds),
    due_date: Type.Optional(DueDate),
    confidential: Type.Optional(Type.Boolean()),
    state_event: Type.Optional(Type.Union([Type.Literal('close'), Type.Literal('reopen')])),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateIssueBody = Static<typeof UpdateIssueBody>;

export const IssuesQuery = Type.Intersect([
  PaginationQuery,
  Type.Object({
    state: Type.Optional(Type.Union([Type.Literal('opened'), Type.Literal('closed'), Type.Literal('all')])),
    labels: Type.Optional(Type.String({ maxLength: 10_000, description: 'Comma-separated; issues with all of them' })),
    search: Type.Optional(Type.String({ maxLength: 255, description: 'In the title and description' })),
    assignee_id: Type.Optional(Type.Union([NumericId, Type.Literal('None'), Type.Literal('Any')])),
    assignee_username: Type.Optional(Type.String({ maxLength: 255 })),
    author_id: Type.Optional(NumericId),
    confidential: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false'), Type.Boolean()])),
    order_by: Type.Optional(Type.Union([Type.Literal('created_at'), Type.Literal('updated_at'), Type.Literal('due_date')])),
    sort: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
  }),
]);
export type IssuesQuery = Static<typeof IssuesQuery>;

export const NoteBody = Type.Object({ body: Type.String({ maxLength: MAX_NOTE }) }, { additionalProperties: false });
export type NoteBody = Static<typeof NoteBody>;
export const NotesQuery = Type.Intersect([
  PaginationQuery,
  Type.Object({ sort: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])), order_by: Type.Optional(Type.Union([Type.Literal('created_at'), Type.Literal('updated_at')])) }),
]);

export const LinkBody = Type.Object({ type: LinkTypeSchema, id: Type.Union([Type.String({ minLength: 1, maxLength: 64 }), NumericId]) }, { additionalProperties: false });
export type LinkBody = Static<typeof LinkBody>;

export const LinkedIssuesQuery = Type.Object({ type: LinkTypeSchema, target_id: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });

export const PreviewBody = Type.Object({ text: Type.String({ maxLength: MAX_DESCRIPTION }) }, { additionalProperties: false });
