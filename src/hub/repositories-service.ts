import type { ProjectAccess } from '../auth/policy.ts';
import type { AliasesService } from '../registry/aliases-service.ts';
import { RegistryErrors } from '../registry/errors.ts';
import type { RegisteredModelsService } from '../registry/models-service.ts';
import type { VersionRow } from '../registry/registry-model.ts';
import { asSemver } from '../registry/semver.ts';
import type { VersionContents, VersionFile } from '../registry/version-contents.ts';
import type { ModelVersionsService } from '../registry/versions-service.ts';
import { isAppError } from '../shared/errors.ts';
import { HubErrors } from './errors.ts';
import { commitSha, versionOfCommitSha } from './git-objects.ts';
import { hubSlug } from './repo-names.ts';

/** A repository at one revision: a model version, its commit sha and its files (sorted by path). */
export interface HubSnapshot {
  /** `namespace/name`, as the repository is addressed. */
  repo: string;
  modelName: string;
  version: VersionRow;
  sha: string;
  files: VersionFile[];
}

/** The most files one revision serves: a model directory has a handful. */
export const MAX_HUB_FILES = 10_000;

/** The revision the clients ask for when none is given. */
export const DEFAULT_REVISION = 'main';

/** Refusals of the registry that mean "no such revision" to a Hub client. */
const MISSING_REVISION = [RegistryErrors.VERSION_NOT_FOUND, RegistryErrors.ALIAS_NOT_FOUND];

/**
 * The registry seen as Hugging Face repositories: a project is a namespace, a model is a
 * repository (named by the slug rule), a version is a commit. Reads only, through the
 * registry's services, with the caller's access.
 */
export class HubRepositories {
  constructor(
    private readonly deps: { models: RegisteredModelsService; versions: ModelVersionsService; aliases: AliasesService; contents: VersionContents },
    private readonly maxFiles = MAX_HUB_FILES,
  ) {}

  /** The model a repository name stands for; a name two models share stands for neither. */
  async model(access: ProjectAccess, repo: string, name: string): Promise<{ id: number; name: string }> {
    const matches = (await this.deps.models.listNames(access)).filter((model) => hubSlug(model.name) === name);
    if (matches.length === 0) throw HubErrors.HUB_REPO_NOT_FOUND({ repo });
    if (matches.length > 1) throw HubErrors.HUB_REPO_NAME_AMBIGUOUS({ repo, names: matches.map((m) => m.name) });
    return matches[0]!;
  }

  /** The repository at a revision: a commit sha, `main`, a semantic version, a version number or an alias. */
  async snapshot(access: ProjectAccess, repo: string, name: string, revision: string): Promise<HubSnapshot> {
    const model = await this.model(access, repo, name);
    const version = await this.versionAt(access, model.name, revision).catch((error: unknown) => {
      const missing = MISSING_REVISION.some((refusal) => refusal.is(error)) || (isAppError(error) && error.kind === 'invalid');
      throw missing ? HubErrors.HUB_REVISION_NOT_FOUND({ repo, revision }) : error;
    });
    const files = await this.deps.contents.list(access, model.name, version, this.maxFiles + 1);
    if (files.length > this.maxFiles) throw HubErrors.HUB_TOO_MANY_FILES({ repo, limit: this.maxFiles });
    const sha = commitSha(version.version, files);
    // A sha names one set of files for good: once they changed, the old sha names nothing.
    if (versionOfCommitSha(revision) !== null && revision !== sha) throw HubErrors.HUB_REVISION_NOT_FOUND({ repo, revision });
    return { repo, modelName: model.name, version, sha, files };
  }

  /** One file of a snapshot; a missing one is refused with the snapshot's sha, which the client files its absence under. */
  file(snapshot: HubSnapshot, path: string): VersionFile {
    const file = snapshot.files.find((f) => f.path === path);
    if (!file) throw HubErrors.HUB_ENTRY_NOT_FOUND({ repo: snapshot.repo, path }, { repoCommit: snapshot.sha });
    return file;
  }

  private async versionAt(access: ProjectAccess, modelName: string, revision: string): Promise<VersionRow> {
    const { versions, aliases } = this.deps;
    const shaVersion = versionOfCommitSha(revision);
    if (shaVersion !== null) return (await versions.getRow(access, modelName, shaVersion)).row;
    if (revision === DEFAULT_REVISION) return this.mainVersion(access, modelName);
    // Digits are a version number, so an alias of digits only is not reachable here.
    if (asSemver(revision) !== null || /^\d{1,9}$/.test(revision)) return (await versions.getRow(access, modelName, revision)).row;
    return (await aliases.resolve(access, modelName, revision)).row;
  }

  /** `main`: the version the alias `main` points at, else the newest version. */
  private async mainVersion(access: ProjectAccess, modelName: string): Promise<VersionRow> {
    try {
      return (await this.deps.aliases.resolve(access, modelName, DEFAULT_REVISION)).row;
    } catch (error) {
      if (!RegistryErrors.ALIAS_NOT_FOUND.is(error)) throw error;
    }
    const newest = (await this.deps.versions.list(access, modelName, { offset: 0, limit: 1 })).items[0];
    if (!newest) throw RegistryErrors.VERSION_NOT_FOUND({ name: modelName, version: DEFAULT_REVISION });
    return newest.row;
  }
}
