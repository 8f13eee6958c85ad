/**
 * How MLflow's server labels a download (mlflow/utils/mime_type_utils.py and its
 * Content-Disposition), which clients and MLflow's own tests compare exactly: text formats as
 * `text/plain` without a charset, other types by their extension, `attachment` always. One
 * difference is kept on purpose: types a browser would run (HTML, SVG, XHTML) are sent as
 * `application/octet-stream`, and every download still carries nosniff and a sandboxing CSP.
 */
const TEXT_EXTENSIONS = new Set([
  'txt',
  'log',
  'err',
  'cfg',
  'conf',
  'cnf',
  'cf',
  'ini',
  'properties',
  'prop',
  'hocon',
  'toml',
  'yaml',
  'yml',
  'xml',
  'json',
  'js',
  'py',
  'py3',
  'csv',
  'tsv',
  'md',
  'rst',
  'ipynb',
  'MLmodel',
  'mlproject',
]);

/** Extensions whose type is passive content (shown, never run), as Python's mimetypes names them. */
const TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  bmp: 'image/bmp',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  ico: 'image/vnd.microsoft.icon',
  pdf: 'application/pdf',
  zip: 'application/zip',
  gz: 'application/gzip',
  tar: 'application/x-tar',
  parquet: 'application/vnd.apache.parquet',
  wav: 'audio/x-wav',
  mp3: 'audio/mpeg',
  mp4: 'video/mp4',
};

export function mlflowContentType(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  const extension = dot > 0 ? fileName.slice(dot + 1) : fileName;
  // As MLflow: the extension as written, and an extension-less name counts as its own extension
  // (MLmodel, mlproject). MLflow's projects call the file MLproject: that one is text too.
  if (TEXT_EXTENSIONS.has(extension) || fileName === 'MLproject') return 'text/plain';
  return TYPES[extension.toLowerCase()] ?? 'application/octet-stream';
}

/** RFC 6266 token characters: a name made of them needs no quotes (as werkzeug writes it). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function mlflowContentDisposition(fileName: string): string {
  const ascii = /^[\x20-\x7e]*$/.test(fileName);
  const fallback = ascii ? fileName : fileName.normalize('NFKD').replace(/[^\x20-\x7e]/g, '') || 'download';
  const quoted = TOKEN.test(fallback) ? fallback : `"${fallback.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  return ascii ? `attachment; filename=${quoted}` : `attachment; filename=${quoted}; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

/** MLflow's labels, for sendDownload. */
export const MLFLOW_DOWNLOAD_LABEL = { contentType: mlflowContentType, contentDisposition: mlflowContentDisposition };
