import type { Project } from '../project.ts';
import { powersOf } from '../project.ts';
import { Link, useLocation } from '../router.tsx';

/** The project's tabs; settings only for those who may change something there. */
export function ProjectNav({ project }: { project: Project }) {
  const { path } = useLocation();
  const base = `/projects/${project.id}`;
  // Each tab owns its own path and any others listed (a job page belongs to Pipelines).
  const tabs: [string, string, string[]][] = [
    [base, 'Experiments', []],
    [`${base}/models`, 'Models', []],
    [`${base}/pipelines`, 'Pipelines', [`${base}/jobs`]],
    [`${base}/environments`, 'Environments', []],
    [`${base}/packages`, 'Packages', []],
    [`${base}/issues`, 'Issues', []],
  ];
  if (powersOf(project).canMaintain) tabs.push([`${base}/settings`, 'Settings', []]);
  const isActive = (to: string, also: string[]) => path === to || [...(to !== base ? [to] : []), ...also].some((p) => path.startsWith(`${p}/`) || path === p);
  return (
    <nav className="project-nav">
      <Link to={base} className="project-name">
        {project.name}
      </Link>
      {tabs.map(([to, label, also]) => (
        <Link key={to} to={to} className={isActive(to, also) ? 'active' : ''}>
          {label}
        </Link>
      ))}
    </nav>
  );
}
