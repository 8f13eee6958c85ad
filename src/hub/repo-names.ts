/**
 * The Hub's rule for a repository's name (huggingface_hub's `validate_repo_id`): letters,
 * digits, `_`, `-` and `.`, at most 96, starting and ending with a letter, digit or `_`, no
 * `--` or `..`, not ending in `.git`. Registered model names allow far more (spaces, accents,
 * `+`), so each model is served under its name made to fit, by this rule:
 *
 * 1. accents are dropped (`é` → `e`);
 * 2. every run of other characters becomes one `-`;
 * 3. a run of `-` or of `.` becomes one;
 * 4. it is cut to 96 characters, then `-`, `.` and `_`-less ends are trimmed (`-` and `.`);
 * 5. a trailing `.git` becomes `-git`.
 *
 * A name that already fits is its own slug. Two models whose slugs are the same are not
 * served under it (the client could not tell them apart); one with an empty slug is not served.
 */
export const HUB_NAME_MAX = 96;

const VALID = /^(?=.{1,96}$)[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$/;

/** Whether the text is a name the Hub's clients accept as it is. */
export function isHubName(text: string): boolean {
  return VALID.test(text) && !text.includes('--') && !text.includes('..') && !text.endsWith('.git');
}

const trimEnds = (text: string) => text.replace(/^[-.]+|[-.]+$/g, '');

/** The model name as a Hub repository name; null when nothing of it is left. */
export function hubSlug(name: string): string | null {
  if (isHubName(name)) return name;
  let slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/\.{2,}/g, '.');
  slug = trimEnds(trimEnds(slug).slice(0, HUB_NAME_MAX));
  if (slug.endsWith('.git')) slug = `${slug.slice(0, -'.git'.length)}-git`;
  return isHubName(slug) ? slug : null;
}
