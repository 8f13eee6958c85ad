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
}

export function powersOf(project: Project): Powers {
  const level = project.permissions.is_admin ? 60 : (project.permissions.project_access?.access_level ?? 0);
  return { level, canWrite: level >= 30, canMaintain: level >= 40 };
}

export async function loadProject(id: string): Promise<Project> {
  return api.get<Project>(apiPaths.project(id).self);
}
