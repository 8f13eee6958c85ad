import type { Kysely } from 'kysely';
import type { UsersService } from '../auth/users-service.ts';
import type { Schema } from '../db/schema.ts';
import { IssueLinksService } from '../issues/links-service.ts';
import type { LinkTargetServices } from '../issues/link-targets.ts';
import { IssuesService } from '../issues/issues-service.ts';
import { NotesService } from '../issues/notes-service.ts';
import type { MembersService } from '../projects/members-service.ts';

/** Model-development issues (src/issues/): issues, their notes, and their links to the rest of the project. */
export interface IssueServices {
  issues: IssuesService;
  notes: NotesService;
  links: IssueLinksService;
}

export function createIssueServices(db: Kysely<Schema>, publicUrl: string, core: { users: UsersService; members: MembersService; targets: LinkTargetServices }): IssueServices {
  const issues = new IssuesService(db, core.users, core.members, publicUrl);
  return { issues, notes: new NotesService(db, issues, publicUrl), links: new IssueLinksService(db, issues, core.targets) };
}
