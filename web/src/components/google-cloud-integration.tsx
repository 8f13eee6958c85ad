import { useRef, useState } from 'react';
import type { GoogleCloudIntegrationView, SetGoogleCloudIntegrationBody } from '../../../src/integrations/google/contract.ts';
import { api, formatTime } from '../api.ts';
import { apiPaths } from '../api-paths.ts';
import type { Project } from '../project.ts';
import { ErrorLine, useAction } from './action.tsx';
import { ConfirmDialog, type ConfirmRequest } from './confirm-dialog.tsx';
import { Show, useLoad } from './states.tsx';

/**
 * The project's Google Cloud integration: one service-account key that the project's Vertex AI
 * imports and Vertex AI environments use when they are given none. The key goes from the form
 * straight into the request: it is read from the file or the text box on submit, never held in
 * React state, and the form is cleared afterwards; the server never answers it.
 */
export function GoogleCloudIntegration({ project }: { project: Project }) {
  const path = apiPaths.project(project.id).googleCloudIntegration;
  const [state, reload] = useLoad(['google-cloud-integration', project.id], () => api.get<GoogleCloudIntegrationView>(path));
  const { error, act } = useAction(reload);
  const [replacing, setReplacing] = useState(false);
  const [confirming, setConfirming] = useState<ConfirmRequest | null>(null);
  const form = useRef<HTMLFormElement>(null);

  const save = async (data: FormData) => {
    const file = data.get('key_file');
    const pasted = String(data.get('key_text') ?? '').trim();
    // Cleared at once: the text lives only in this call from here on.
    form.current?.reset();
    const key = file instanceof File && file.size > 0 ? await file.text() : pasted;
    if (!key) throw new Error('Choose a key file or paste the key.');
    await api.put<GoogleCloudIntegrationView>(path, { service_account_key: key } satisfies SetGoogleCloudIntegrationBody);
    setReplacing(false);
  };

  return (
    <Show state={state} what="Loading the Google Cloud integration">
      {(integration) => (
        <section className="card" aria-labelledby="google-cloud">
          <h2 id="google-cloud">Google Cloud</h2>
          <ErrorLine error={error} />
          {integration.active ? (
            <dl data-testid="google-cloud-account">
              <dt>Service account</dt>
              <dd>{integration.service_account}</dd>
              <dt>Google project</dt>
              <dd>{integration.google_project}</dd>
              <dt>Updated</dt>
              <dd>{integration.updated_at && formatTime(Date.parse(integration.updated_at))}</dd>
            </dl>
          ) : (
            <p className="muted">Not set. A service-account key set here is used by this project's Vertex AI imports and Vertex AI environments that are given no key of their own.</p>
          )}
          {integration.active && !replacing && (
            <div className="toolbar">
              <button type="button" onClick={() => setReplacing(true)}>
                Replace key
              </button>
              <button
                type="button"
                className="reject"
                onClick={() =>
                  setConfirming({
                    title: 'Remove the Google Cloud integration?',
                    body: <p>Vertex AI imports and environments of this project that have no key of their own will stop working until a key is set again.</p>,
                    confirmLabel: 'Remove',
                    danger: true,
                    run: () => api.del(path),
                  })
                }
              >
                Remove
              </button>
            </div>
          )}
          {(!integration.active || replacing) && (
            <form
              ref={form}
              className="forms"
              aria-label={integration.active ? 'Replace the service-account key' : 'Set a service-account key'}
              onSubmit={(e) => {
                e.preventDefault();
                void act(() => save(new FormData(e.currentTarget)));
              }}
            >
              <label>
                Service-account key file (JSON) <input name="key_file" type="file" accept="application/json" />
              </label>
              <label>
                Or paste the key file&apos;s JSON <textarea name="key_text" rows={4} spellCheck={false} autoComplete="off" />
              </label>
              <div className="toolbar">
                <button type="submit" className="primary">
                  Save
                </button>
                {replacing && (
                  <button type="button" onClick={() => setReplacing(false)}>
                    Cancel
                  </button>
                )}
              </div>
            </form>
          )}
          <ConfirmDialog
            request={confirming}
            onClose={() => setConfirming(null)}
            onDone={() => {
              setConfirming(null);
              reload();
            }}
          />
        </section>
      )}
    </Show>
  );
}
