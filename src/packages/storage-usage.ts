import type { ArtifactsService } from '../artifacts/artifacts-service.ts';
import type { PackagesService } from './packages-service.ts';

export interface StorageUsage {
  artifacts: { files: number; bytes: number };
  packages: { files: number; bytes: number };
}

/** What a project stores: its run and model artifacts, and its packages. */
export async function storageUsage(stores: { artifacts: ArtifactsService; packages: PackagesService }, projectId: number): Promise<StorageUsage> {
  const [artifacts, packages] = await Promise.all([stores.artifacts.usage(projectId), stores.packages.usage(projectId)]);
  return { artifacts, packages };
}
