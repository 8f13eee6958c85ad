import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import { invalid } from '../../shared/errors.ts';
import type { Comparator, FilterNode, Literal, RawComparison } from './filter-parser.ts';

/** Turns a parsed filter into one SQL condition, asking `compare` for each comparison. */
export function compileFilter<DB, TB extends keyof DB>(eb: ExpressionBuilder<DB, TB>, node: FilterNode, compare: (comparison: RawComparison) => Expression<SqlBool>): Expression<SqlBool> {
  switch (node.kind) {
    case 'compare':
      return compare(node);
    case 'and':
      return eb.and(node.items.map((item) => compileFilter(eb, item, compare)));
    case 'or':
      return eb.or(node.items.map((item) => compileFilter(eb, item, compare)));
  }
}

/** The same as compileFilter, for queries written with the `sql` template. */
export function compileFilterSql(node: FilterNode, compare: (comparison: RawComparison) => Expression<SqlBool>): Expression<SqlBool> {
  switch (node.kind) {
    case 'compare':
      return compare(node);
    case 'and':
      return sql<SqlBool>`(${sql.join(
        node.items.map((item) => compileFilterSql(item, compare)),
        sql` and `,
      )})`;
    case 'or':
      return sql<SqlBool>`(${sql.join(
        node.items.map((item) => compileFilterSql(item, compare)),
        sql` or `,
      )})`;
  }
}

export const NUMERIC_COMPARATORS: readonly Comparator[] = ['=', '!=', '<', '<=', '>', '>='];
export const STRING_COMPARATORS: readonly Comparator[] = ['=', '!=', 'LIKE', 'ILIKE'];

export function requireComparator(comparison: RawComparison, allowed: readonly Comparator[], what: string): void {
  if (!allowed.includes(comparison.comparator)) {
    throw invalid(`Invalid comparator '${comparison.comparator}' not one of '${allowed.join("', '")}' for ${what}`);
  }
}

export function requireNumber(literal: Literal, what: string): number {
  if (literal.type !== 'number') throw invalid(`Expected numeric value type for ${what}. Found ${describeLiteral(literal)}`);
  return literal.value;
}

export function requireString(literal: Literal, what: string): string {
  if (literal.type !== 'string') throw invalid(`Expected a quoted string value for ${what} (e.g. 'my-value'). Got value ${describeLiteral(literal)}`);
  return literal.value;
}

export function requireList(literal: Literal, what: string): string[] {
  if (literal.type !== 'list') throw invalid(`Expected a list of quoted strings for ${what}`);
  return literal.values;
}

function describeLiteral(literal: Literal): string {
  switch (literal.type) {
    case 'string':
      return `'${literal.value}'`;
    case 'number':
      return literal.text;
    case 'list':
      return `(${literal.values.join(', ')})`;
    case 'none':
      return 'nothing';
  }
}

/**
 * LIKE costs both engines up to one step per pattern character per value character, on every
 * row searched (and SQLite's steps block the server), so a pattern is bounded: MLflow's key
 * length is far more than a search needs, and a few wildcards express any real query.
 */
export const MAX_LIKE_PATTERN_LENGTH = 250;
export const MAX_LIKE_WILDCARDS = 10;

function likePattern(comparison: RawComparison, what: string): string {
  const pattern = requireString(comparison.literal, what);
  if (pattern.length > MAX_LIKE_PATTERN_LENGTH) {
    throw invalid(`The ${comparison.comparator} pattern for ${what} is too long: at most ${MAX_LIKE_PATTERN_LENGTH} characters, got ${pattern.length}`);
  }
  const wildcards = pattern.length - pattern.replace(/[%_]/g, '').length;
  if (wildcards > MAX_LIKE_WILDCARDS) {
    throw invalid(`The ${comparison.comparator} pattern for ${what} has too many wildcards: at most ${MAX_LIKE_WILDCARDS} of '%' and '_', got ${wildcards}`);
  }
  return pattern;
}

/**
 * A string comparison on a column. LIKE keeps the user's wildcards (MLflow's semantics) and is
 * case-sensitive on both dialects; ILIKE lowers both sides.
 */
export function stringCondition(column: Expression<unknown>, comparison: RawComparison, what: string): Expression<SqlBool> {
  switch (comparison.comparator) {
    case '=':
      return sql<SqlBool>`${column} = ${requireString(comparison.literal, what)}`;
    case '!=':
      return sql<SqlBool>`${column} <> ${requireString(comparison.literal, what)}`;
    case 'LIKE':
      return sql<SqlBool>`${column} like ${likePattern(comparison, what)}`;
    case 'ILIKE':
      return sql<SqlBool>`lower(${column}) like lower(${likePattern(comparison, what)})`;
    case 'IN': {
      const values = requireList(comparison.literal, what);
      return sql<SqlBool>`${column} in (${sql.join(values)})`;
    }
    case 'NOT IN': {
      const values = requireList(comparison.literal, what);
      return sql<SqlBool>`${column} not in (${sql.join(values)})`;
    }
    default:
      throw invalid(`Invalid comparator '${comparison.comparator}' for ${what}`);
  }
}

export function numericCondition(column: Expression<unknown>, comparison: RawComparison, what: string): Expression<SqlBool> {
  requireComparator(comparison, NUMERIC_COMPARATORS, what);
  const value = requireNumber(comparison.literal, what);
  const op = comparison.comparator === '!=' ? '<>' : comparison.comparator;
  return sql<SqlBool>`${column} ${sql.raw(op)} ${value}`;
}
