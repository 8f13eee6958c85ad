import { useState } from 'react';
import type { CiSettings, LintResult, StoredConfig } from '../../../src/pipelines/contract.ts';
import { api, ApiError } from '../api.ts';
import { apiPaths } from '../api-paths.ts';
import type { Project } from '../project.ts';
import { ErrorLine, useAction } from './action.tsx';
import { SecretOnce } from './secret-once.tsx';
import { Show, useLoad } from './states.tsx';

const names = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** The linked git repository, its default and protected branches, the push webhook's secret and registry triggers. */
export function CiRepositorySettings({ project }: { project: Project }) {
  const path = apiPaths.project(project.id).ciSettings;
  const [state, reload] = useLoad(['ci-settings', project.id], () => api.get<CiSettings>(path));
  const { error, act } = useAction(reload);
  const [secret, setSecret] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const save = async (body: Record<string, unknown>) => {
    setSaved(false);
    const answer = await api.put<CiSettings>(path, body);
    if (answer.webhook_secret) setSecret(answer.webhook_secret);
    setSaved(true);
  };
  return (
    <Show state={state} what="Loading CI settings">
      {(settings) => (
        <section aria-labelledby="ci-repository">
          <h2 id="ci-repository">Repository</h2>
          <ErrorLine error={error} />
          {secret && <SecretOnce secret={secret} label="The push webhook's secret" />}
          <form
            className="forms"
            onSubmit={(e) => {
              e.preventDefault();
              const data = new FormData(e.currentTarget);
              const url = String(data.get('repository_url')).trim();
              void act(() =>
                save({
                  repository_url: url || null,
                  default_branch: String(data.get('default_branch')).trim(),
                  protected_branches: names(String(data.get('protected_branches'))),
                  registry_triggers: data.get('registry_triggers') === 'on',
                }),
              );
            }}
          >
            <label>
              Git repository URL <input name="repository_url" placeholder="https://git.example.com/team/model.git" defaultValue={settings.repository_url ?? ''} />
            </label>
            <label>
              Default branch <input name="default_branch" required defaultValue={settings.default_branch} />
            </label>
            <label>
              Protected branches (comma-separated) <input name="protected_branches" defaultValue={settings.protected_branches.join(', ')} />
            </label>
            <label>
              <input name="registry_triggers" type="checkbox" defaultChecked={settings.registry_triggers} /> Run pipelines on registry events (a version registered, approved or aliased)
            </label>
            <div className="toolbar">
              <button type="submit" className="primary">
                Save repository settings
              </button>
              {saved && !error && <span role="status">Saved</span>}
            </div>
          </form>
          <p className="muted">
            Push webhook secret: {settings.webhook_secret_set ? 'set' : 'not set'}.{' '}
            <button type="button" onClick={() => void act(() => save({ webhook_secret: 'generate' }))}>
              {settings.webhook_secret_set ? 'Replace the secret' : 'Make a secret'}
            </button>
          </p>
          <PipelineFile project={project} linked={settings.repository_url !== null} />
        </section>
      )}
    </Show>
  );
}

/** The pipeline file kept in the project, checked (errors with their line, the jobs it makes) before it is saved. */
function PipelineFile({ project, linked }: { project: Project; linked: boolean }) {
  const paths = apiPaths.project(project.id);
  const [state] = useLoad(['ci-config', project.id], async () => {
    try {
      return (await api.get<StoredConfig>(paths.ciConfig)).content;
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return '';
      throw e;
    }
  });
  const [lintResult, setLintResult] = useState<LintResult | null>(null);
  const [saved, setSaved] = useState(false);
  const { error, act } = useAction(() => undefined);
  return (
    <Show state={state} what="Loading the pipeline file">
      {(content) => (
        <form
          className="forms"
          aria-labelledby="ci-file"
          onSubmit={(e) => {
            e.preventDefault();
            const text = String(new FormData(e.currentTarget).get('content'));
            setSaved(false);
            void act(async () => {
              setLintResult(await api.post<LintResult>(paths.ciLint, { content: text, include_jobs: true }));
              await api.put<StoredConfig>(paths.ciConfig, { content: text });
              setSaved(true);
            });
          }}
        >
          <h2 id="ci-file">Pipeline file</h2>
          <p className="muted">
            {linked
              ? 'A repository is linked: pipelines read .modelyard-ci.yml (or .gitlab-ci.yml) from it, and this file is not used.'
              : 'No repository is linked: every pipeline (manual, triggered, on registry events) runs this file.'}
          </p>
          <ErrorLine error={error} />
          <label>
            Pipeline YAML
            <textarea name="content" className="code-input" rows={16} spellCheck={false} defaultValue={content} />
          </label>
          <div className="toolbar">
            <button
              type="button"
              onClick={(e) => {
                const text = String(new FormData(e.currentTarget.form!).get('content'));
                void act(async () => setLintResult(await api.post<LintResult>(paths.ciLint, { content: text, include_jobs: true })));
              }}
            >
              Check
            </button>
            <button type="submit" className="primary">
              Save pipeline file
            </button>
            {saved && !error && <span role="status">Saved</span>}
          </div>
          {lintResult && <LintSummary result={lintResult} />}
        </form>
      )}
    </Show>
  );
}

function LintSummary({ result }: { result: LintResult }) {
  if (!result.valid)
    return (
      <div className="error" role="alert" data-testid="ci-lint">
        <p>The file has errors:</p>
        <ul>
          {result.error_details.length > 0
            ? result.error_details.map((d, i) => <li key={i}>{`Line ${d.line}, column ${d.column}: ${d.message}`}</li>)
            : result.errors.map((m, i) => <li key={i}>{m}</li>)}
        </ul>
      </div>
    );
  return (
    <div className="notice" data-testid="ci-lint">
      <p>The file is valid. A push to the default branch runs {result.jobs.length === 1 ? '1 job' : `${result.jobs.length} jobs`}:</p>
      <ul>
        {result.jobs.map((j) => (
          <li key={j.name}>
            <strong>{j.name}</strong> in stage {j.stage}
            {j.when !== 'on_success' ? ` (${j.when})` : ''}
          </li>
        ))}
      </ul>
      {result.warnings.length > 0 && (
        <ul>
          {result.warnings.map((w, i) => (
            <li key={i}>{w}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
