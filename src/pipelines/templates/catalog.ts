import fs from 'node:fs';

/**
 * The pipeline templates bundled with Modelyard, for `include: - template: <name>`. Names are
 * written as GitLab writes its own (`Modelyard/Train.gitlab-ci.yml`); the suffix may be left out.
 */
export const TEMPLATE_NAMES = ['Modelyard/Train', 'Modelyard/Evaluate', 'Modelyard/Validate', 'Modelyard/Register', 'Modelyard/Image'] as const;

const cache = new Map<string, string>();

export function bundledTemplate(name: string): string | undefined {
  const bare = name.replace(/\.gitlab-ci\.yml$|\.ya?ml$/, '');
  if (!(TEMPLATE_NAMES as readonly string[]).includes(bare)) return undefined;
  if (!cache.has(bare)) {
    const file = new URL(`./${bare.split('/')[1]!.toLowerCase()}.yml`, import.meta.url);
    cache.set(bare, fs.readFileSync(file, 'utf8'));
  }
  return cache.get(bare);
}
