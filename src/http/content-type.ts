/**
 * What a download may be served as. Only types a browser shows without running anything are
 * served inline; everything else, HTML and SVG above all (the class of CVE-2023-6568), is sent
 * as an `application/octet-stream` attachment.
 */
const INLINE_TYPES: Record<string, string> = {
  txt: 'text/plain; charset=utf-8',
  log: 'text/plain; charset=utf-8',
  md: 'text/plain; charset=utf-8',
  py: 'text/plain; charset=utf-8',
  yaml: 'text/plain; charset=utf-8',
  yml: 'text/plain; charset=utf-8',
  toml: 'text/plain; charset=utf-8',
  cfg: 'text/plain; charset=utf-8',
  ini: 'text/plain; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  tsv: 'text/tab-separated-values; charset=utf-8',
  json: 'application/json',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
};

/** MLmodel and other extension-less MLflow files are YAML text. */
const INLINE_NAMES: Record<string, string> = { MLmodel: 'text/plain; charset=utf-8', MLproject: 'text/plain; charset=utf-8' };

export function downloadType(fileName: string): { contentType: string; inline: boolean } {
  const named = INLINE_NAMES[fileName];
  if (named) return { contentType: named, inline: true };
  const dot = fileName.lastIndexOf('.');
  const extension = dot >= 0 ? fileName.slice(dot + 1).toLowerCase() : '';
  const type = INLINE_TYPES[extension];
  return type ? { contentType: type, inline: true } : { contentType: 'application/octet-stream', inline: false };
}
