import type { UsersService } from '../auth/users-service.ts';
import { accessOf } from '../auth/request-context.ts';
import { pageWindow, sendPage } from '../http/pagination.ts';
import { NoContent, replies } from '../http/responses.ts';
import { ProjectIdParams } from '../http/schemas.ts';
import type { App } from '../http/types.ts';
import {
  CreateIssueBody,
  IssueLinkList,
  IssueLinkNative,
  IssueList,
  IssueNative,
  IssueParams,
  IssuesQuery,
  LinkBody,
  LinkedIssuesQuery,
  LinkParams,
  NoteBody,
  NoteList,
  NoteNative,
  NoteParams,
  NotesQuery,
  UpdateIssueBody,
} from './contract.ts';
import type { IssueRecord } from './issue-record.ts';
import { peopleById } from './people.ts';
import { peopleOfIssue, presentIssue, presentLink, presentNote } from './present.ts';
import type { IssuesService } from './issues-service.ts';
import type { IssueLinksService } from './links-service.ts';
import type { NotesService } from './notes-service.ts';

/** GitLab's Issues and Notes APIs, and the links of issues (ours: GitLab has no model objects to link). */
export async function issueRoutes(app: App, deps: { issues: IssuesService; notes: NotesService; links: IssueLinksService; users: UsersService }): Promise<void> {
  const { issues, notes, links, users } = deps;
  const tags = ['issues'];
  const base = '/api/v4/projects/:id/issues';
  const presentAll = async (records: IssueRecord[]) => {
    const people = await peopleById(users, records.flatMap(peopleOfIssue));
    return records.map((record) => presentIssue(record, people, app.publicUrl));
  };
  const presentOne = async (record: IssueRecord) => (await presentAll([record]))[0]!;

  app.get(
    base,
    {
      config: { ability: 'issues:read' },
      schema: { tags, summary: "A project's issues (confidential ones only to those who may see them)", params: ProjectIdParams, querystring: IssuesQuery, response: replies({ 200: IssueList }) },
    },
    async (request, reply) => {
      const window = pageWindow(request.query);
      const page = await issues.list(accessOf(request), request.query, window);
      return sendPage(request, reply, window, { total: page.total, items: await presentAll(page.items) });
    },
  );

  app.post(
    base,
    {
      config: { ability: 'issues:write' },
      schema: {
        tags,
        summary: 'Open an issue (guests too; labels, assignees and a due date take a reporter)',
        params: ProjectIdParams,
        body: CreateIssueBody,
        response: replies({ 201: IssueNative }),
      },
    },
    async (request, reply) => reply.status(201).send(await presentOne(await issues.create(accessOf(request), request.body))),
  );

  app.get(
    `${base}/:issue_iid`,
    { config: { ability: 'issues:read' }, schema: { tags, summary: 'One issue, by its number in the project', params: IssueParams, response: replies({ 200: IssueNative }) } },
    async (request) => presentOne(await issues.get(accessOf(request), request.params.issue_iid)),
  );

  app.put(
    `${base}/:issue_iid`,
    {
      config: { ability: 'issues:write' },
      schema: {
        tags,
        summary: 'Edit, close (state_event=close) or reopen an issue (its author, or a reporter and up)',
        params: IssueParams,
        body: UpdateIssueBody,
        response: replies({ 200: IssueNative }),
      },
    },
    async (request) => presentOne(await issues.update(accessOf(request), request.params.issue_iid, request.body)),
  );

  app.delete(
    `${base}/:issue_iid`,
    { config: { ability: 'issues:delete' }, schema: { tags, summary: 'Delete an issue (owners)', params: IssueParams, response: replies({ 204: NoContent }) } },
    async (request, reply) => {
      await issues.delete(accessOf(request), request.params.issue_iid);
      return reply.status(204).send(null);
    },
  );

  // --- notes ----------------------------------------------------------------------------------
  app.get(
    `${base}/:issue_iid/notes`,
    { config: { ability: 'issues:read' }, schema: { tags, summary: "An issue's comments", params: IssueParams, querystring: NotesQuery, response: replies({ 200: NoteList }) } },
    async (request, reply) => {
      const window = pageWindow(request.query);
      const page = await notes.list(accessOf(request), request.params.issue_iid, { sort: request.query.sort ?? 'desc', orderBy: request.query.order_by ?? 'created_at' }, window);
      const people = await peopleById(
        users,
        page.items.map((n) => n.author_id),
      );
      return sendPage(request, reply, window, { total: page.total, items: page.items.map((n) => presentNote(n, page.issue, people)) });
    },
  );

  const presentNoteOf = async ({ issue, note }: Awaited<ReturnType<typeof notes.get>>) => presentNote(note, issue, await peopleById(users, [note.author_id]));

  app.get(
    `${base}/:issue_iid/notes/:note_id`,
    { config: { ability: 'issues:read' }, schema: { tags, summary: 'One comment', params: NoteParams, response: replies({ 200: NoteNative }) } },
    async (request) => presentNoteOf(await notes.get(accessOf(request), request.params.issue_iid, request.params.note_id)),
  );

  app.post(
    `${base}/:issue_iid/notes`,
    { config: { ability: 'issues:write' }, schema: { tags, summary: 'Comment on an issue (guests too)', params: IssueParams, body: NoteBody, response: replies({ 201: NoteNative }) } },
    async (request, reply) => reply.status(201).send(await presentNoteOf(await notes.create(accessOf(request), request.params.issue_iid, request.body.body))),
  );

  app.put(
    `${base}/:issue_iid/notes/:note_id`,
    { config: { ability: 'issues:write' }, schema: { tags, summary: 'Edit a comment (its author)', params: NoteParams, body: NoteBody, response: replies({ 200: NoteNative }) } },
    async (request) => presentNoteOf(await notes.update(accessOf(request), request.params.issue_iid, request.params.note_id, request.body.body)),
  );

  app.delete(
    `${base}/:issue_iid/notes/:note_id`,
    { config: { ability: 'issues:write' }, schema: { tags, summary: 'Delete a comment (its author, or a maintainer)', params: NoteParams, response: replies({ 204: NoContent }) } },
    async (request, reply) => {
      await notes.delete(accessOf(request), request.params.issue_iid, request.params.note_id);
      return reply.status(204).send(null);
    },
  );

  // --- links ----------------------------------------------------------------------------------
  app.get(
    `${base}/:issue_iid/links`,
    {
      config: { ability: 'issues:read' },
      schema: { tags, summary: 'What an issue is linked to: models, versions, experiments, runs, pipelines, deployments', params: IssueParams, response: replies({ 200: IssueLinkList }) },
    },
    async (request) => {
      const found = await links.list(accessOf(request), request.params.issue_iid);
      return found.links.map((link) => presentLink(link, found.iid));
    },
  );

  app.post(
    `${base}/:issue_iid/links`,
    {
      config: { ability: 'issues:write' },
      schema: { tags, summary: 'Link an issue to an object of its project (its author, or a reporter and up)', params: IssueParams, body: LinkBody, response: replies({ 201: IssueLinkNative }) },
    },
    async (request, reply) => {
      const added = await links.add(accessOf(request), request.params.issue_iid, request.body.type, request.body.id);
      return reply.status(201).send(presentLink(added, added.iid));
    },
  );

  app.delete(
    `${base}/:issue_iid/links/:link_id`,
    { config: { ability: 'issues:write' }, schema: { tags, summary: 'Remove a link', params: LinkParams, response: replies({ 204: NoContent }) } },
    async (request, reply) => {
      await links.remove(accessOf(request), request.params.issue_iid, request.params.link_id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v4/projects/:id/linked_issues',
    {
      config: { ability: 'issues:read' },
      schema: {
        tags,
        summary: 'The issues linked to one model, version, experiment, run, pipeline or deployment',
        params: ProjectIdParams,
        querystring: LinkedIssuesQuery,
        response: replies({ 200: IssueList }),
      },
    },
    async (request) => presentAll(await links.linkedTo(accessOf(request), request.query.type, request.query.target_id)),
  );
}
