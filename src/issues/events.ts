import { Type, type Static, type TSchema } from 'typebox';

/**
 * Issues' events: name → payload. The payloads follow GitLab's `issues_events` and
 * `note_events` webhook bodies (object_kind, event_type, user, project, object_attributes,
 * labels, assignees, changes). As GitLab keeps confidential issues apart
 * (`confidential_issues_events`), a confidential issue's events are named
 * `issues.confidential_issue.*` and its notes' `issues.confidential_note.*`, so that a hook
 * subscribed to `issues.issue.*` never receives them.
 */
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

const HookUser = Type.Object({ id: Type.Integer(), username: Type.String(), name: Type.String() });
const HookProject = Type.Object({ id: Type.Integer() });
const HookLabel = Type.Object({ title: Type.String() });

const IssueAttributes = Type.Object({
  id: Type.Integer(),
  iid: Type.Integer(),
  project_id: Type.Integer(),
  title: Type.String(),
  description: Type.String(),
  state: Type.String(),
  confidential: Type.Boolean(),
  due_date: Nullable(Type.String()),
  author_id: Nullable(Type.Integer()),
  closed_by_id: Nullable(Type.Integer()),
  created_at: Type.String(),
  updated_at: Type.String(),
  closed_at: Nullable(Type.String()),
  url: Type.String(),
  action: Type.Union([Type.Literal('open'), Type.Literal('update'), Type.Literal('close'), Type.Literal('reopen'), Type.Literal('delete')]),
});

export const IssueHook = Type.Object({
  object_kind: Type.Literal('issue'),
  event_type: Type.Union([Type.Literal('issue'), Type.Literal('confidential_issue')]),
  user: Nullable(HookUser),
  project: HookProject,
  object_attributes: IssueAttributes,
  labels: Type.Array(HookLabel),
  assignees: Type.Array(HookUser),
  changes: Type.Record(Type.String(), Type.Object({ previous: Type.Unknown(), current: Type.Unknown() }), { description: 'The fields an update changed' }),
});
export type IssueHook = Static<typeof IssueHook>;

export const NoteHook = Type.Object({
  object_kind: Type.Literal('note'),
  event_type: Type.Union([Type.Literal('note'), Type.Literal('confidential_note')]),
  user: Nullable(HookUser),
  project: HookProject,
  object_attributes: Type.Object({
    id: Type.Integer(),
    note: Type.String(),
    noteable_type: Type.Literal('Issue'),
    noteable_id: Type.Integer(),
    author_id: Nullable(Type.Integer()),
    project_id: Type.Integer(),
    created_at: Type.String(),
    updated_at: Type.String(),
    url: Type.String(),
    action: Type.Union([Type.Literal('create'), Type.Literal('update'), Type.Literal('delete')]),
  }),
  issue: Type.Object({ id: Type.Integer(), iid: Type.Integer(), title: Type.String(), state: Type.String(), confidential: Type.Boolean() }),
});
export type NoteHook = Static<typeof NoteHook>;

const LinkChange = Type.Object({ issue_iid: Type.Integer(), type: Type.String(), target_id: Type.String() });

export const IssueEvents = {
  'issues.issue.opened': IssueHook,
  'issues.issue.updated': IssueHook,
  'issues.issue.closed': IssueHook,
  'issues.issue.reopened': IssueHook,
  'issues.issue.deleted': IssueHook,
  'issues.confidential_issue.opened': IssueHook,
  'issues.confidential_issue.updated': IssueHook,
  'issues.confidential_issue.closed': IssueHook,
  'issues.confidential_issue.reopened': IssueHook,
  'issues.confidential_issue.deleted': IssueHook,
  'issues.note.created': NoteHook,
  'issues.note.updated': NoteHook,
  'issues.note.deleted': NoteHook,
  'issues.confidential_note.created': NoteHook,
  'issues.confidential_note.updated': NoteHook,
  'issues.confidential_note.deleted': NoteHook,
  'issues.link.added': LinkChange,
  'issues.link.removed': LinkChange,
} as const;

export type IssueEventName = keyof typeof IssueEvents;
export type IssueEventPayload<N extends IssueEventName> = Static<(typeof IssueEvents)[N]>;

export function issueEvent<N extends IssueEventName>(type: N, projectId: number, payload: IssueEventPayload<N>): { type: N; projectId: number; payload: IssueEventPayload<N> } {
  return { type, projectId, payload };
}
