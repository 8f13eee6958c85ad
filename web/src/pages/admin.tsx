import { Fragment, useState } from 'react';
import type { CreateUserBody, UpdateUserBody, UserAsAdminSees } from '../../../src/auth/contract.ts';
import type { ProjectNative } from '../../../src/projects/contract.ts';
import { api } from '../api.ts';
import { apiPaths } from '../api-paths.ts';
import { ErrorLine, useAction } from '../components/action.tsx';
import { Empty, Show, useLoad } from '../components/states.tsx';
import { UserIdentities } from '../components/user-identities.tsx';
import { MemberRolesAdmin } from '../components/member-roles-admin.tsx';
import { Link, useLocation } from '../router.tsx';
import { usePageTitle } from '../page-title.ts';
import { useSession } from '../session.tsx';

/** The administrator's area: every person and every project of the instance. The server checks each call again. */
const SECTION_TITLES = { users: 'Users', projects: 'Projects', 'member-roles': 'Custom roles' } as const;

export function AdminPage({ section }: { section: keyof typeof SECTION_TITLES }) {
  const { path } = useLocation();
  usePageTitle(SECTION_TITLES[section], 'Administration');
  return (
    <section>
      <h1>Administration</h1>
      <nav className="tabs">
        <Link to="/admin/users" className={path.startsWith('/admin/users') ? 'button active' : 'button'}>
          Users
        </Link>
        <Link to="/admin/projects" className={path.startsWith('/admin/projects') ? 'button active' : 'button'}>
          Projects
        </Link>
        <Link to="/admin/member-roles" className={path.startsWith('/admin/member-roles') ? 'button active' : 'button'}>
          Custom roles
        </Link>
      </nav>
      {section === 'users' && <Users />}
      {section === 'projects' && <Projects />}
      {section === 'member-roles' && <MemberRolesAdmin />}
    </section>
  );
}

function Users() {
  const { user: me } = useSession();
  const [search, setSearch] = useState('');
  const [state, reload] = useLoad(['admin-users', search], () => api.page<UserAsAdminSees>(apiPaths.users({ per_page: 100, search: search || undefined })));
  const { error, act } = useAction(reload);
  const [open, setOpen] = useState<number | null>(null);
  const [passwordFor, setPasswordFor] = useState<number | null>(null);
  return (
    <>
      <NewUser onCreated={reload} />
      <ErrorLine error={error} />
      <div className="toolbar">
        <input aria-label="Search users" size={30} placeholder="search by username or name" value={search} onChange={(e) => setSearch(e.target.value)} />
      </div>
      <Show state={state} what="Loading users">
        {(page) =>
          page.items.length === 0 ? (
            <Empty>No users match.</Empty>
          ) : (
            <table className="grid" data-testid="admin-users">
              <thead>
                <tr>
                  <th>Username</th>
                  <th>Name</th>
                  <th>Email</th>
                  <th>State</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {page.items.map((u) => (
                  <Fragment key={u.id}>
                    <tr data-testid={`user-${u.username}`}>
                      <td>
                        {u.username} {u.is_admin && <span className="badge">admin</span>}
                      </td>
                      <td>{u.name}</td>
                      <td>{u.email}</td>
                      <td>{u.state}</td>
                      <td>
                        {u.id !== me?.id &&
                          (u.state === 'blocked' ? (
                            <button aria-label={`Unblock ${u.username}`} onClick={() => act(() => api.post(apiPaths.user(u.id).unblock))}>
                              Unblock
                            </button>
                          ) : (
                            <button aria-label={`Block ${u.username}`} onClick={() => act(() => api.post(apiPaths.user(u.id).block))}>
                              Block
                            </button>
                          ))}
                        {u.id !== me?.id && (
                          <button
                            aria-label={u.is_admin ? `Remove admin: ${u.username}` : `Make admin: ${u.username}`}
                            onClick={() => act(() => api.put(apiPaths.user(u.id).self, { admin: !u.is_admin } satisfies UpdateUserBody))}
                          >
                            {u.is_admin ? 'Remove admin' : 'Make admin'}
                          </button>
                        )}
                        <button aria-label={`Identities of ${u.username}`} aria-expanded={open === u.id} onClick={() => setOpen(open === u.id ? null : u.id)}>
                          Identities
                        </button>
                        <button aria-label={`Set password: ${u.username}`} aria-expanded={passwordFor === u.id} onClick={() => setPasswordFor(passwordFor === u.id ? null : u.id)}>
                          Set password
                        </button>
                      </td>
                    </tr>
                    {passwordFor === u.id && (
                      <tr>
                        <td colSpan={5}>
                          <SetPassword userId={u.id} username={u.username} />
                        </td>
                      </tr>
                    )}
                    {open === u.id && (
                      <tr>
                        <td colSpan={5}>
                          <UserIdentities userId={u.id} username={u.username} />
                        </td>
                      </tr>
                    )}
                  </Fragment>
                ))}
              </tbody>
            </table>
          )
        }
      </Show>
    </>
  );
}

/**
 * An administrator sets someone's password: the way back in for a person who lost theirs (root
 * included, from a second administrator made with `modelyard admin create-user --admin`).
 */
function SetPassword({ userId, username }: { userId: number; username: string }) {
  const [password, setPassword] = useState('');
  const [done, setDone] = useState(false);
  const { error, act } = useAction(() => {
    setPassword('');
    setDone(true);
  });
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        setDone(false);
        act(() => api.put(apiPaths.user(userId).self, { password } satisfies UpdateUserBody));
      }}
    >
      <label>
        New password for {username} <input type="password" autoComplete="new-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
      </label>{' '}
      <button type="submit" className="primary">
        Set password
      </button>
      {done && <span role="status"> Password set; {username} signs in with it from now on.</span>}
      <ErrorLine error={error} />
    </form>
  );
}

function NewUser({ onCreated }: { onCreated: () => void }) {
  const { error, act } = useAction(onCreated);
  const [form, setForm] = useState({ username: '', name: '', email: '', password: '', admin: false });
  const [made, setMade] = useState<string | null>(null);
  const field = (key: 'username' | 'name' | 'email' | 'password') => ({ value: form[key], onChange: (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value }) });
  return (
    <form
      className="panel"
      onSubmit={(e) => {
        e.preventDefault();
        setMade(null);
        void act(async () => {
          const body: CreateUserBody = { username: form.username, password: form.password, admin: form.admin, ...(form.name ? { name: form.name } : {}), ...(form.email ? { email: form.email } : {}) };
          await api.post<UserAsAdminSees>(apiPaths.users(), body);
          setMade(form.username);
          setForm({ username: '', name: '', email: '', password: '', admin: false });
        });
      }}
    >
      <strong>New user</strong>
      <ErrorLine error={error} />
      {made && (
        <p className="notice" role="status">
          {made} can now sign in with the password you gave; they can change it in their settings.
        </p>
      )}
      <div className="toolbar">
        <label>
          Username <input required {...field('username')} />
        </label>
        <label>
          Name <input {...field('name')} />
        </label>
        <label>
          Email <input type="email" {...field('email')} />
        </label>
        <label>
          Initial password <input type="password" autoComplete="new-password" required minLength={8} {...field('password')} />
        </label>
        <label>
          <input type="checkbox" checked={form.admin} onChange={(e) => setForm({ ...form, admin: e.target.checked })} /> Administrator
        </label>
        <button type="submit" className="primary">
          Create user
        </button>
      </div>
    </form>
  );
}

function Projects() {
  const [search, setSearch] = useState('');
  const [state] = useLoad(['admin-projects', search], () => api.page<ProjectNative>(apiPaths.projects({ per_page: 100, order_by: 'path', sort: 'asc', search: search || undefined })));
  return (
    <>
      <div className="toolbar">
        <input aria-label="Search projects" size={30} placeholder="search by name or path" value={search} onChange={(e) => setSearch(e.target.value)} />
      </div>
      <Show state={state} what="Loading projects">
        {(page) =>
          page.items.length === 0 ? (
            <Empty>No projects match.</Empty>
          ) : (
            <table className="grid" data-testid="admin-projects">
              <thead>
                <tr>
                  <th>Project</th>
                  <th>Path</th>
                  <th>Visibility</th>
                  <th>Created</th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((p) => (
                  <tr key={p.id}>
                    <td>
                      <Link to={`/projects/${p.id}`}>{p.name}</Link>
                    </td>
                    <td>{p.path_with_namespace}</td>
                    <td>{p.visibility}</td>
                    <td>{p.created_at.slice(0, 10)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Show>
    </>
  );
}
