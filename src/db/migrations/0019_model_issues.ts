import { columnTypes, notNull, withId, type MigrationDb } from '../columns.ts';
import type { Dialect } from '../database.ts';

/**
 * Model-development issues (issue 22): per-project issues with GitLab's shape (an `iid` counted
 * per project), their labels and assignees, notes, and links to the registry, tracking,
 * pipelines and deployments; and the registry setting that gates approvals and protected
 * deployments on linked review issues being closed.
 */
export async function up(db: MigrationDb, dialect: Dialect): Promise<void> {
  const t = columnTypes(dialect);
  const project = (c: Parameters<typeof notNull>[0]) => c.notNull().references('projects.id').onDelete('cascade');
  await withId(db.schema.createTable('issues'), dialect)
    .addColumn('project_id', t.bigint, project)
    .addColumn('iid', t.bigint, notNull)
    .addColumn('title', 'text', notNull)
    .addColumn('description', 'text', notNull)
    .addColumn('state', 'text', notNull)
    .addColumn('confidential', 'integer', notNull)
    .addColumn('due_date', 'text')
    .addColumn('author_id', t.bigint)
    .addColumn('closed_by_id', t.bigint)
    .addColumn('closed_at', t.bigint)
    .addColumn('created_at', t.bigint, notNull)
    .addColumn('updated_at', t.bigint, notNull)
    .addUniqueConstraint('issues_project_iid', ['project_id', 'iid'])
    .execute();
  const issue = (c: Parameters<typeof notNull>[0]) => c.notNull().references('issues.id').onDelete('cascade');
  await db.schema.createTable('issue_labels').addColumn('issue_id', t.bigint, issue).addColumn('label', 'text', notNull).addPrimaryKeyConstraint('issue_labels_pk', ['issue_id', 'label']).execute();
  await db.schema
    .createTable('issue_assignees')
    .addColumn('issue_id', t.bigint, issue)
    .addColumn('user_id', t.bigint, notNull)
    .addPrimaryKeyConstraint('issue_assignees_pk', ['issue_id', 'user_id'])
    .execute();
  await withId(db.schema.createTable('issue_notes'), dialect)
    .addColumn('issue_id', t.bigint, issue)
    .addColumn('body', 'text', notNull)
    .addColumn('author_id', t.bigint)
    .addColumn('created_at', t.bigint, notNull)
    .addColumn('updated_at', t.bigint, notNull)
    .execute();
  await db.schema.createIndex('issue_notes_issue').on('issue_notes').columns(['issue_id', 'id']).execute();
  await withId(db.schema.createTable('issue_links'), dialect)
    .addColumn('issue_id', t.bigint, issue)
    .addColumn('project_id', t.bigint, project)
    .addColumn('target_type', 'text', notNull)
    .addColumn('target_id', 'text', notNull)
    .addColumn('created_at', t.bigint, notNull)
    .addUniqueConstraint('issue_links_target', ['issue_id', 'target_type', 'target_id'])
    .execute();
  await db.schema.createIndex('issue_links_by_target').on('issue_links').columns(['project_id', 'target_type', 'target_id']).execute();
  await db.schema.alterTable('registry_settings').addColumn('review_issue_label', 'text').execute();
}
