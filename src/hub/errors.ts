import { defineErrors } from '../shared/errors.ts';
import type { HubErrorCode } from './contract.ts';

type Repo = { repo: string };

/** The Hub protocol's refusals; `HUB_ERROR_CODE_OF` says which `X-Error-Code` each answers with. */
export const HubErrors = defineErrors('hub', {
  HUB_REPO_NOT_FOUND: { kind: 'not_found', message: ({ repo }: Repo) => `Repository ${repo} not found` },
  HUB_REPO_NAME_AMBIGUOUS: {
    kind: 'conflict',
    message: ({ repo, names }: Repo & { names: string[] }) =>
      `Repository ${repo} names ${names.length} models (${names.map((n) => JSON.stringify(n)).join(', ')}): their names read the same on the Hub; rename one to download it`,
  },
  HUB_REVISION_NOT_FOUND: {
    kind: 'not_found',
    message: ({ repo, revision }: Repo & { revision: string }) => `Revision ${JSON.stringify(revision)} of ${repo} not found: use a semantic version, an alias, a version number, main or a commit sha`,
  },
  HUB_ENTRY_NOT_FOUND: { kind: 'not_found', message: ({ repo, path }: Repo & { path: string }) => `Entry ${JSON.stringify(path)} not found in ${repo}` },
  HUB_INVALID_CURSOR: { kind: 'invalid', message: 'Invalid cursor: use the link of the previous page' },
  HUB_TOO_MANY_FILES: {
    kind: 'unprocessable',
    message: ({ repo, limit }: Repo & { limit: number }) => `Repository ${repo} has more than ${limit} files at this revision; the Hub protocol serves at most ${limit}`,
  },
});

/** The Hub's own code for each refusal that has one. */
export const HUB_ERROR_CODE_OF: Record<string, HubErrorCode> = {
  [HubErrors.HUB_REPO_NOT_FOUND.code]: 'RepoNotFound',
  [HubErrors.HUB_REVISION_NOT_FOUND.code]: 'RevisionNotFound',
  [HubErrors.HUB_ENTRY_NOT_FOUND.code]: 'EntryNotFound',
};
