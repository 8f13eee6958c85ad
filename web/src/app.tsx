import type { ReactNode } from 'react';
import { Link, match, navigate, RouterProvider, useLocation } from './router.tsx';
import { SessionProvider, useSession } from './session.tsx';
import { Loading, useLoad } from './components/states.tsx';
import { NotFoundPage } from './components/not-found.tsx';
import { SignInPage } from './pages/sign-in.tsx';
import { ProjectsPage } from './pages/projects.tsx';
import { ProjectHomePage } from './pages/project-home.tsx';
import { RunsPage } from './pages/runs.tsx';
import { RunPage } from './pages/run.tsx';
import { ComparePage } from './pages/compare.tsx';
import { ModelsPage } from './pages/models.tsx';
import { ModelPage } from './pages/model.tsx';
import { VersionPage } from './pages/version.tsx';
import { SettingsPage } from './pages/settings.tsx';
import { IssuesPage } from './pages/issues.tsx';
import { IssuePage } from './pages/issue.tsx';
import { IssueBoardPage } from './pages/issue-board.tsx';
import { ModelReference } from './components/model-reference.tsx';
import { PackagesPage } from './pages/packages.tsx';
import { PackagePage } from './pages/package.tsx';
import { PipelinesPage } from './pages/pipelines.tsx';
import { PipelinePage } from './pages/pipeline.tsx';
import { JobPage } from './pages/job.tsx';
import { RunnersPage } from './pages/runners.tsx';
import { EnvironmentsPage } from './pages/environments.tsx';
import { EnvironmentPage } from './pages/environment.tsx';
import { UserSettingsPage } from './pages/user-settings.tsx';
import { AdminPage } from './pages/admin.tsx';
import { api } from './api.ts';
import { apiPaths } from './api-paths.ts';
import type { UserAsAdminSees } from '../../src/auth/contract.ts';
import { MlflowLinkRedirect, mlflowPlaceInAddress } from './components/mlflow-link-redirect.tsx';

const ROUTES: [string, (p: Record<string, string>) => ReactNode][] = [
  ['/', () => <ProjectsPage />],
  ['/projects/:project', (p) => <ProjectHomePage projectId={p.project!} />],
  ['/projects/:project/experiments/:experiment', (p) => <RunsPage projectId={p.project!} experimentId={p.experiment!} />],
  ['/projects/:project/runs/:run', (p) => <RunPage projectId={p.project!} runId={p.run!} />],
  ['/projects/:project/compare', (p) => <ComparePage projectId={p.project!} />],
  ['/projects/:project/models', (p) => <ModelsPage projectId={p.project!} />],
  ['/projects/:project/models/:model', (p) => <ModelPage projectId={p.project!} modelId={p.model!} />],
  ['/projects/:project/models/:model/versions/:version', (p) => <VersionPage projectId={p.project!} modelId={p.model!} version={p.version!} />],
  ['/projects/:project/settings', (p) => <SettingsPage projectId={p.project!} />],
  ['/projects/:project/issues', (p) => <IssuesPage projectId={p.project!} />],
  ['/projects/:project/issues/board', (p) => <IssueBoardPage projectId={p.project!} />],
  ['/projects/:project/issues/:iid', (p) => <IssuePage key={p.iid} projectId={p.project!} iid={p.iid!} />],
  ['/projects/:project/model-refs/:name/:version', (p) => <ModelReference projectId={p.project!} name={p.name!} version={p.version!} />],
  ['/projects/:project/pipelines', (p) => <PipelinesPage projectId={p.project!} />],
  // Keyed by id: moving to another pipeline or job (a retry's new attempt) starts the page afresh.
  ['/projects/:project/pipelines/:pipeline', (p) => <PipelinePage key={p.pipeline} projectId={p.project!} pipelineId={p.pipeline!} />],
  ['/projects/:project/jobs/:job', (p) => <JobPage key={p.job} projectId={p.project!} jobId={p.job!} />],
  ['/projects/:project/packages', (p) => <PackagesPage projectId={p.project!} />],
  ['/projects/:project/packages/:package', (p) => <PackagePage key={p.package} projectId={p.project!} packageId={p.package!} />],
  ['/projects/:project/environments', (p) => <EnvironmentsPage projectId={p.project!} />],
  ['/projects/:project/environments/:environment', (p) => <EnvironmentPage key={p.environment} projectId={p.project!} environmentId={p.environment!} />],
  ['/runners', () => <RunnersPage />],
  ['/user/settings', () => <UserSettingsPage section="tokens" />],
  ['/user/settings/tokens', () => <UserSettingsPage section="tokens" />],
  ['/user/settings/password', () => <UserSettingsPage section="password" />],
  ['/admin', () => <AdminPage section="users" />],
  ['/admin/users', () => <AdminPage section="users" />],
  ['/admin/projects', () => <AdminPage section="projects" />],
  ['/admin/member-roles', () => <AdminPage section="member-roles" />],
  // A project's `web_url` is GitLab's `/<path>`; tried last, so every page above keeps its address.
  ['/:project', (p) => <ProjectHomePage projectId={p.project!} />],
];

/** The administrator's link, for administrators only (the session's user does not say; `GET /user` does). */
function AdminLink({ path }: { path: string }) {
  const [me] = useLoad(['current-user'], () => api.get<UserAsAdminSees>(apiPaths.currentUser));
  if (me.status !== 'ready' || !me.data.is_admin) return null;
  return (
    <Link to="/admin/users" className={path.startsWith('/admin') ? 'top-link active' : 'top-link'}>
      Admin
    </Link>
  );
}

function Routes() {
  const { path } = useLocation();
  const { user, ready, signOut } = useSession();
  if (!ready) return <Loading />;
  if (!user) return <SignInPage />;
  let page: ReactNode = <NotFoundPage title="Page not found" message={`There is no page at ${path}.`} back={{ to: '/', label: 'Back to the projects' }} />;
  if (mlflowPlaceInAddress(path)) page = <MlflowLinkRedirect path={path} />;
  else
    for (const [pattern, render] of ROUTES) {
      const params = match(pattern, path);
      if (params) {
        page = render(params);
        break;
      }
    }
  return (
    <div className="shell">
      <header className="topbar">
        <Link to="/" className="brand">
          Modelyard
        </Link>
        <Link to="/runners" className={path.startsWith('/runners') ? 'top-link active' : 'top-link'}>
          Runners
        </Link>
        <AdminLink path={path} />
        <span className="spacer" />
        <Link to="/user/settings/tokens" className={path.startsWith('/user/settings') ? 'who top-link active' : 'who top-link'}>
          {user.username}
        </Link>
        <button
          onClick={async () => {
            await signOut();
            navigate('/');
          }}
        >
          Sign out
        </button>
      </header>
      <main>{page}</main>
    </div>
  );
}

export function App() {
  return (
    <RouterProvider>
      <SessionProvider>
        <Routes />
      </SessionProvider>
    </RouterProvider>
  );
}
