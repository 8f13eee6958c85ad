import { labelScope, validLabel } from '../registry/names.ts';
import { invalid } from '../shared/errors.ts';
import { MAX_LABELS } from './contract.ts';
import { IssueErrors } from './errors.ts';

/** GitLab takes labels as a comma-separated string or as a list. */
export function labelList(input: string | string[] | undefined): string[] {
  if (input === undefined) return [];
  const parts = typeof input === 'string' ? input.split(',') : input;
  const labels = [...new Set(parts.map((p) => p.trim()).filter((p) => p !== ''))].map(validLabel);
  if (labels.length > MAX_LABELS) throw invalid(`an issue has at most ${MAX_LABELS} labels`);
  return labels;
}

/** A set of labels given at once may hold one label per scope (the registry's rule, src/registry/tagging.ts). */
export function oneLabelPerScope(labels: string[]): string[] {
  const seen = new Set<string>();
  for (const label of labels) {
    const scope = labelScope(label);
    if (scope === null) continue;
    if (seen.has(scope)) throw IssueErrors.SAME_SCOPE_LABELS({ scope });
    seen.add(scope);
  }
  return labels;
}

/** Adds labels to the current ones: a scoped label replaces the label of its scope, as GitLab's scoped labels. */
export function withLabels(current: string[], added: string[]): string[] {
  let next = [...current];
  for (const label of oneLabelPerScope(added)) {
    const scope = labelScope(label);
    if (scope !== null) next = next.filter((l) => labelScope(l) !== scope);
    if (!next.includes(label)) next.push(label);
  }
  if (next.length > MAX_LABELS) throw invalid(`an issue has at most ${MAX_LABELS} labels`);
  return next;
}
