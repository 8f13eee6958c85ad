import type { TokenizerAndRendererExtension, Tokens } from 'marked';

/**
 * GitLab-style references in Markdown: `#12` names issue 12 of the project, `model:iris/3`
 * version 3 of the model iris. Both become links to the web UI's pages; the text of a reference
 * is escaped like any other, and the whole HTML still goes through the sanitizer afterwards.
 */
export interface ReferenceBase {
  projectId: number;
}

/** Where the web UI shows an issue, and a version named by its model's name. */
export const issuePagePath = (projectId: number, iid: number) => `/projects/${projectId}/issues/${iid}`;
export const versionReferencePath = (projectId: number, model: string, version: number) => `/projects/${projectId}/model-refs/${encodeURIComponent(model)}/${version}`;

/** Issue references start a word: `a#1` and `&#1` are not references. */
const ISSUE_START = /(^|[^\w&/])#\d/;
const ISSUE = /^#(\d{1,10})(?!\w)/;
const MODEL_START = /(^|[^\w/])model:/;
/** Model names here stop at what registered names may not contain (src/registry/names.ts) and at spaces. */
const MODEL = /^model:([^\s/@:\\#?%<>"'`()[\]]{1,255})\/(\d{1,10})(?!\w)/;

interface ReferenceToken extends Tokens.Generic {
  type: 'reference';
  raw: string;
  href: string;
  label: string;
}

function firstMatch(src: string, pattern: RegExp): number | undefined {
  const found = pattern.exec(src);
  if (!found) return undefined;
  return found.index + found[1]!.length;
}

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** The marked extension that finds references; null base: no references (nothing to link them to). */
export function referenceExtension(base: () => ReferenceBase | null): TokenizerAndRendererExtension {
  return {
    name: 'reference',
    level: 'inline',
    start(src: string) {
      if (base() === null) return undefined;
      const at = [firstMatch(src, ISSUE_START), firstMatch(src, MODEL_START)].filter((n): n is number => n !== undefined);
      return at.length === 0 ? undefined : Math.min(...at);
    },
    tokenizer(src: string, tokens: Tokens.Generic[]): ReferenceToken | undefined {
      const where = base();
      if (where === null) return undefined;
      // marked may have cut the text before a `#` for reasons of its own: a reference still has to start a word.
      const before = tokens.at(-1);
      if (before?.type === 'text' && /[\w&/]$/.test(before.raw)) return undefined;
      const issue = ISSUE.exec(src);
      if (issue) return { type: 'reference', raw: issue[0], href: issuePagePath(where.projectId, Number(issue[1])), label: issue[0] };
      const model = MODEL.exec(src);
      if (model) return { type: 'reference', raw: model[0], href: versionReferencePath(where.projectId, model[1]!, Number(model[2])), label: model[0] };
      return undefined;
    },
    renderer(token) {
      const ref = token as ReferenceToken;
      return `<a href="${escapeHtml(ref.href)}">${escapeHtml(ref.label)}</a>`;
    },
  };
}
