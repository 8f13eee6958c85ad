import { useEffect, useState } from 'react';
import { api } from '../api.ts';
import { apiPaths } from '../api-paths.ts';
import { mlflowPlace, pageOfPlace, type MlflowPlace } from '../mlflow-links.ts';
import { match, navigate } from '../router.tsx';
import type { ModelNative } from '../../../src/registry/contract.ts';
import { Loading } from './states.tsx';
import { NotFoundPage } from './not-found.tsx';

/** A model is named in MLflow's links; its page is numbered. */
async function modelIdByName(projectId: string, name: string): Promise<number | null> {
  const page = await api.page<ModelNative>(apiPaths.project(projectId).models({ search: name, per_page: 100 }));
  return page.items.find((m) => m.name === name)?.id ?? null;
}

/**
 * Takes a browser that opened a link the MLflow client printed (see mlflow-links.ts) to the
 * page it names. The server sends a project's tracking URI to `/projects/<id>` and the browser
 * keeps the fragment; the server root is the app itself, sent through `/api`, which the server
 * answers with the default project's page.
 */
export function MlflowLinkRedirect({ path }: { path: string }) {
  const [missing, setMissing] = useState<string | null>(null);
  const fragment = window.location.hash;
  useEffect(() => {
    const place = mlflowPlace(fragment);
    if (!place) return;
    if (path === '/') {
      window.location.replace(`${apiPaths.defaultProjectPage}${fragment}`);
      return;
    }
    const projectId = match('/projects/:project', path)?.project;
    if (projectId === undefined) return;
    if (place.kind === 'run' || place.kind === 'experiment') {
      navigate(pageOfPlace(projectId, place, fragment), true);
      return;
    }
    let alive = true;
    void modelIdByName(projectId, place.modelName).then(
      (id) => {
        if (!alive) return;
        if (id === null) setMissing(`No model named ${place.modelName} in this project.`);
        else navigate(`/projects/${encodeURIComponent(projectId)}/models/${id}${place.kind === 'version' ? `/versions/${place.version}` : ''}`, true);
      },
      (e: Error) => alive && setMissing(e.message),
    );
    return () => {
      alive = false;
    };
  }, [path, fragment]);
  if (missing) return <NotFoundPage title="Model not found" message={missing} back={{ to: path, label: 'Back to the project' }} />;
  return <Loading what="Opening the MLflow link" />;
}

/** The place the address's fragment names, where the app reads MLflow links: the root and a project's page. */
export function mlflowPlaceInAddress(path: string): MlflowPlace | null {
  if (path !== '/' && !match('/projects/:project', path)) return null;
  return mlflowPlace(window.location.hash);
}
