import { checkExpression, evaluateExpression } from './expressions.ts';
import { asMap, checkKeys, readBoolean, readOneOf, readString, readVariables, type Errors } from './readers.ts';
import type { RuleSpec, When } from './types.ts';
import { errorAt, type SourceNode } from './yaml-source.ts';

/**
 * `rules:` of jobs and of `workflow:`. Only `if` decides: `changes` and `exists` need the
 * repository's file list at planning time, which pure planning does not have, so they are
 * refused rather than silently treated as true.
 */

export const JOB_RULE_WHEN: readonly When[] = ['on_success', 'on_failure', 'always', 'manual', 'never'];
// A workflow rule either lets the pipeline run or stops it.
const WORKFLOW_RULE_WHEN: readonly When[] = ['always', 'never'];
const UNSUPPORTED = ['changes', 'exists'];

export function readRules(node: SourceNode, what: string, scope: 'job' | 'workflow', errors: Errors): RuleSpec[] | undefined {
  if (node.kind !== 'seq') {
    errors.push(errorAt(node.pos, `${what} config should be an array of hashes`));
    return undefined;
  }
  const before = errors.length;
  const rules = node.items.map((item) => readRule(item, `${what}:rule`, scope, errors));
  return errors.length === before ? rules : undefined;
}

function readRule(node: SourceNode, what: string, scope: 'job' | 'workflow', errors: Errors): RuleSpec {
  const rule: RuleSpec = {};
  const map = asMap(node, what, errors);
  if (!map) return rule;
  const allowed = scope === 'job' ? ['if', 'when', 'allow_failure', 'variables'] : ['if', 'when', 'variables'];
  for (const { key, keyPos } of map.entries) {
    if (UNSUPPORTED.includes(key)) errors.push(errorAt(keyPos, `${what} ${key} is not supported; only if, when and variables are`));
  }
  checkKeys({ ...map, entries: map.entries.filter((e) => !UNSUPPORTED.includes(e.key)) }, allowed, what, errors);
  for (const { key, value } of map.entries) {
    if (key === 'if') {
      const expression = readString(value, `${what} if`, errors);
      const problem = expression === undefined ? undefined : checkExpression(expression);
      if (problem) errors.push(errorAt(value.pos, `${what} if invalid expression syntax: ${problem}`));
      else if (expression !== undefined) rule.if = expression;
    } else if (key === 'when') {
      const when = readOneOf(value, scope === 'job' ? JOB_RULE_WHEN : WORKFLOW_RULE_WHEN, `${what} when`, errors);
      if (when) rule.when = when;
    } else if (key === 'allow_failure' && scope === 'job') {
      if (value.kind === 'map') errors.push(errorAt(value.pos, `${what} allow_failure:exit_codes is not supported`));
      else {
        const allowFailure = readBoolean(value, `${what} allow_failure`, errors);
        if (allowFailure !== undefined) rule.allowFailure = allowFailure;
      }
    } else if (key === 'variables') {
      const variables = readVariables(value, `${what} variables`, errors);
      if (variables) rule.variables = variables;
    }
  }
  return rule;
}

/** The first rule whose `if` holds (a rule without `if` always holds), or undefined. */
export function matchRule(rules: readonly RuleSpec[], variables: Record<string, string>): RuleSpec | undefined {
  return rules.find((rule) => rule.if === undefined || evaluateExpression(rule.if, variables));
}
