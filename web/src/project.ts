import type { ProjectWithAccess } from '../../src/projects/contract.ts';
import { api } from './api.ts';
import { apiPaths } from './api-paths.ts';

/** A project read on its own, with what the signed-in person may do in it. */
export type Project = ProjectWithAccess;

/** What the signed-in person may do here; the UI offers nothing else. */
export interface Powers {
  level: number;
  canWrite: boolean;
  canMaintain: boolean;
  /** Approving or rejecting versions: maintainers, and those whose custom role adds it. */
  canApproveVersions: boolean;
}

export function powersOf(project: Project): Powers {
  const level = project.permissions.is_admin ? 60 : (project.permissions.project_access?.access_level ?? 0);
  const canApproveVersions = level >= 40 || project.permissions.custom_abilities.includes('registry:approve');
  return { level, canWrite: level >= 30, canMaintain: level >= 40, canApproveVersions };
}

export async function loadProject(id: string): Promise<Project> {
  return api.get<Project>(apiPaths.project(id).self);
}
