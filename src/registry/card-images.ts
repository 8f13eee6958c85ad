import type { Attributes, Transformer } from 'sanitize-html';

/**
 * What a model card may show as an image. A remote image would make every reader's browser
 * call a third party (a tracking pixel tells it who read which card, from where, when), and a
 * proxy that fetched it for them would be an outbound door and break air-gapped installs; so
 * remote images become links the reader may choose to follow. Images kept are the version's
 * own files, served by this server under the reader's own permission. `data:` images are not
 * kept (they were never allowed): they are unbounded inline blobs, and nothing in a card needs
 * them when the image can be a file of the version.
 */
export interface CardImages {
  /** `/api/v4/projects/:id/packages/ml_models/:version_id/files/` for a version's card; null for a model's, which has no files. */
  filesBase: string | null;
}

export const LINK_REL = 'nofollow noopener noreferrer';

/** What the URL parser ignores; removed first so that `ht\ttps://` or ` //host` is judged as a browser reads it. */
function asBrowserReadsIt(src: string): string {
  return src.replace(/[\t\n\r]/g, '').replace(/^[\x00-\x20]+|[\x00-\x20]+$/g, '');
}

const SCHEME = /^([a-z][a-z0-9+.-]*):/i;
/** Browsers read `//host`, `\\host`, `/\host` and `\/host` as another host. */
const OTHER_HOST = /^[\\/]{2}/;
const FAKE_BASE = 'https://card.invalid/files/';

/** A path inside the version's files, percent-encoded as a URL path; null if it leaves them. */
function ownFilePath(src: string): string | null {
  if (src.startsWith('/') || src.startsWith('\\')) return null;
  let resolved: URL;
  try {
    resolved = new URL(src, FAKE_BASE);
  } catch {
    return null;
  }
  if (resolved.origin !== new URL(FAKE_BASE).origin || !resolved.pathname.startsWith('/files/')) return null;
  const path = resolved.pathname.slice('/files/'.length);
  if (path === '') return null;
  // An encoded separator would be decoded by the file route into a path of another shape.
  if (/%(2f|5c|00)/i.test(path)) return null;
  return path;
}

function label(attribs: { alt?: string; title?: string }): string {
  const text = (attribs.alt || attribs.title || '').trim();
  return text === '' ? 'image' : `image: ${text}`;
}

export function transformCardImage(images: CardImages): Transformer {
  return (tagName, attribs) => {
    const src = asBrowserReadsIt(attribs.src ?? '');
    const scheme = SCHEME.exec(src)?.[1]?.toLowerCase();
    if (scheme === 'http' || scheme === 'https' || (scheme === undefined && OTHER_HOST.test(src))) {
      const href = scheme === undefined ? `https://${src.replace(OTHER_HOST, '')}` : src;
      return { tagName: 'a', attribs: { href, rel: LINK_REL }, text: label(attribs) };
    }
    const own = scheme === undefined && images.filesBase !== null ? ownFilePath(src) : null;
    if (own !== null) {
      const kept: Record<string, string> = { src: `${images.filesBase}${own}` };
      if (attribs.alt) kept.alt = attribs.alt;
      if (attribs.title) kept.title = attribs.title;
      return { tagName, attribs: kept };
    }
    // data:, other schemes, this server's other paths, files outside the version: only the words remain.
    const none: Attributes = {};
    return { tagName: 'span', attribs: none, text: label(attribs) };
  };
}
