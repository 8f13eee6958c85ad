import { Marked } from 'marked';
import sanitizeHtml from 'sanitize-html';
import { invalid } from '../shared/errors.ts';
import { referenceExtension, type ReferenceBase } from '../shared/markdown-references.ts';
import { LINK_REL, transformCardImage, type CardImages } from './card-images.ts';
import { CARD_FIELD_NAMES, MAX_CARD_FIELD, MAX_DESCRIPTION } from './contract.ts';

/** The structured fields of a model card, beside its free Markdown text. */
export const CARD_FIELDS = CARD_FIELD_NAMES;
export type CardField = (typeof CARD_FIELDS)[number];
export type ModelCard = Partial<Record<CardField, string>>;

export function validDescription(description: string): string {
  if (description.length > MAX_DESCRIPTION) throw invalid(`description is too long (maximum is ${MAX_DESCRIPTION} characters)`);
  return description;
}

/** The project whose references the text being rendered names; parsing is synchronous, so one at a time. */
let referencesOf: ReferenceBase | null = null;
const markdown = new Marked({ gfm: true, breaks: false, async: false });
markdown.use({ extensions: [referenceExtension(() => referencesOf)] });

/**
 * Markdown to HTML that is safe to put in a page: an allow-list of formatting elements and
 * attributes, links only to http(s) and mailto, no scripts, styles, event handlers, iframes,
 * forms or SVG. Raw HTML in the Markdown goes through the same list. Images only from the
 * version's own files; remote ones become links (src/registry/card-images.ts). The one renderer
 * of the server's Markdown: model cards, version descriptions, issues and notes. With
 * `references`, `#12` and `model:name/3` become links into that project
 * (src/shared/markdown-references.ts).
 */
export function renderMarkdown(text: string, images: CardImages, references: ReferenceBase | null = null): string {
  referencesOf = references;
  let html: string;
  try {
    html = markdown.parse(text) as string;
  } finally {
    referencesOf = null;
  }
  return sanitizeHtml(html, {
    allowedTags: [
      'h1',
      'h2',
      'h3',
      'h4',
      'h5',
      'h6',
      'p',
      'br',
      'hr',
      'strong',
      'em',
      'del',
      'code',
      'pre',
      'blockquote',
      'ul',
      'ol',
      'li',
      'a',
      'table',
      'thead',
      'tbody',
      'tr',
      'th',
      'td',
      'img',
      'span',
      'sup',
      'sub',
    ],
    allowedAttributes: { a: ['href', 'title', 'rel'], img: ['src', 'alt', 'title'], th: ['align'], td: ['align'], code: ['class'], span: [] },
    allowedSchemes: ['http', 'https', 'mailto'],
    // Kept images are relative paths rewritten onto this server; no scheme is allowed for them.
    allowedSchemesByTag: { img: [] },
    allowProtocolRelative: false,
    disallowedTagsMode: 'discard',
    transformTags: { a: sanitizeHtml.simpleTransform('a', { rel: LINK_REL }), img: transformCardImage(images) },
  });
}

export function validateCard(card: Record<string, unknown>): ModelCard {
  const out: ModelCard = {};
  for (const [key, value] of Object.entries(card)) {
    if (!(CARD_FIELDS as readonly string[]).includes(key)) throw invalid(`card has an unknown field "${key}"; fields are ${CARD_FIELDS.join(', ')}`);
    if (value === null || value === undefined) continue;
    if (typeof value !== 'string') throw invalid(`card.${key} must be a string`);
    if (value.length > MAX_CARD_FIELD) throw invalid(`card.${key} is too long (maximum is ${MAX_CARD_FIELD} characters)`);
    out[key as CardField] = value;
  }
  return out;
}

/** Where the files of a version are served, for the images of its card. */
export function versionFilesBase(projectId: number, versionId: number): string {
  return `/api/v4/projects/${projectId}/packages/ml_models/${versionId}/files/`;
}
