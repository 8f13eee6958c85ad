import type { Project } from '../project.ts';
import { powersOf } from '../project.ts';
import { Link, useLocation } from '../router.tsx';

/** The project's tabs; settings only for those who may change something there. */
export function ProjectNav({ project }: { project: Project }) {
  const { path } = useLocation();
  const base = `/projects/${project.id}`;
  const tabs: [string, string][] = [
    [base, 'Experiments'],
    [`${base}/models`, 'Models'],
  ];
  if (powersOf(project).canMaintain) tabs.push([`${base}/settings`, 'Settings']);
  return (
    <nav className="project-nav">
      <Link to={base} className="project-name">
        {project.name}
      </Link>
      {tabs.map(([to, label]) => (
        <Link key={to} to={to} className={path === to || (to !== base && path.startsWith(to)) ? 'active' : ''}>
          {label}
        </Link>
      ))}
    </nav>
  );
}
