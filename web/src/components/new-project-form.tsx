import { useState } from 'react';
import type { CreateProjectBody, ProjectNative } from '../../../src/projects/contract.ts';
import { api } from '../api.ts';
import { apiPaths } from '../api-paths.ts';
import { navigate } from '../router.tsx';
import { ErrorLine, useAction } from './action.tsx';

type Visibility = NonNullable<CreateProjectBody['visibility']>;

/** Any signed-in person may make a project (and becomes its owner); the new project opens at once. */
export function NewProjectForm({ onCancel }: { onCancel: () => void }) {
  const { error, act } = useAction(() => undefined);
  const [name, setName] = useState('');
  const [path, setPath] = useState('');
  const [description, setDescription] = useState('');
  const [visibility, setVisibility] = useState<Visibility>('private');
  return (
    <form
      className="panel"
      aria-label="New project"
      onSubmit={(e) => {
        e.preventDefault();
        void act(async () => {
          const body: CreateProjectBody = { name, visibility, ...(path ? { path } : {}), ...(description ? { description } : {}) };
          const project = await api.post<ProjectNative>(apiPaths.projects(), body);
          navigate(`/projects/${project.id}`);
        });
      }}
    >
      <strong>New project</strong>
      <ErrorLine error={error} />
      <div className="toolbar">
        <label>
          Project name <input required maxLength={255} value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label>
          Path <input placeholder="from the name" maxLength={255} value={path} onChange={(e) => setPath(e.target.value)} />
        </label>
        <label>
          Visibility{' '}
          <select value={visibility} onChange={(e) => setVisibility(e.target.value as Visibility)}>
            <option value="private">private (members only)</option>
            <option value="internal">internal (anyone signed in)</option>
            <option value="public">public (anyone)</option>
          </select>
        </label>
      </div>
      <label>
        Description <input size={60} maxLength={20000} value={description} onChange={(e) => setDescription(e.target.value)} />
      </label>
      <div className="toolbar">
        <button type="submit" className="primary">
          Create project
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
