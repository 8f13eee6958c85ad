import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';

/** Escapes LIKE wildcards so that user text matches literally. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * `column LIKE pattern ESCAPE '\'`, spelled the same on both dialects (SQLite has no default
 * escape character, PostgreSQL's is the backslash).
 */
export function likeExpression(column: Expression<unknown>, pattern: string, caseInsensitive = false): RawBuilder<SqlBool> {
  return caseInsensitive ? sql<SqlBool>`lower(${column}) like lower(${pattern}) escape '\\'` : sql<SqlBool>`${column} like ${pattern} escape '\\'`;
}

/** Case-insensitive substring search for list filters. */
export function containsText(column: Expression<unknown>, text: string): RawBuilder<SqlBool> {
  return likeExpression(column, `%${escapeLike(text)}%`, true);
}
