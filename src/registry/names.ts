import { invalid } from '../shared/errors.ts';

/**
 * Registered model names end up inside URIs (`models:/name@alias`, `models:/name/3`), so the
 * characters those URIs use as separators are refused.
 */
export function validModelName(name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '') throw invalid('Registered model name cannot be empty.');
  if (name.length > 255) throw invalid('Registered model name is too long (maximum is 255 characters).');
  if (/[/@:\\#?%\u0000-\u001f\u007f]/.test(name)) throw invalid(`Invalid registered model name '${name}': it may not contain / @ : \\ # ? % or control characters.`);
  return name;
}

const ALIAS_PATTERN = /^[\w-]+$/;

/** MLflow's alias rules: word characters and dashes, not `latest`, not a version like `v3`. */
export function validAlias(alias: unknown): string {
  if (typeof alias !== 'string' || alias === '') throw invalid('Alias cannot be empty.');
  if (alias.length > 255) throw invalid('Alias is too long (maximum is 255 characters).');
  if (!ALIAS_PATTERN.test(alias)) throw invalid(`Invalid alias name: '${alias}'. Names may only contain alphanumerics, underscores (_), and dashes (-).`);
  if (alias.toLowerCase() === 'latest') throw invalid("'latest' alias name (case insensitive) is reserved.");
  if (/^[vV]\d+$/.test(alias)) throw invalid(`Version alias name '${alias}' is reserved.`);
  return alias;
}

const LABEL_PATTERN = /^[\w .\-/:]{1,255}$/;

/** GitLab's scoped labels: `scope::value`; a model or version holds one label per scope. */
export function validLabel(label: unknown): string {
  if (typeof label !== 'string' || !LABEL_PATTERN.test(label) || label.startsWith('::') || label.endsWith('::')) {
    throw invalid(`Invalid label '${String(label)}': use letters, digits, spaces, "_", "-", ".", "/" and "::" for scopes`);
  }
  return label;
}

export function labelScope(label: string): string | null {
  const at = label.lastIndexOf('::');
  return at > 0 ? label.slice(0, at) : null;
}
