import { Fragment, useId, useRef, useState, type ReactNode } from 'react';
import type { EnvironmentTarget, KServeTargetBody, VertexTargetBody } from '../../../src/targets/contract.ts';
import { api, ApiError } from '../api.ts';
import { apiPaths } from '../api-paths.ts';
import { targetPowersOf, type EnvironmentDetail } from '../deployments-model.ts';
import { usePolling } from '../polling.ts';
import { powersOf, type Project } from '../project.ts';
import { ErrorLine } from './action.tsx';
import type { ConfirmRequest } from './confirm-dialog.tsx';
import { Loading, useLoad } from './states.tsx';

type Kind = 'kserve' | 'vertex';

/**
 * Where an environment's variants run: the local agents, a KServe namespace or a Vertex AI
 * endpoint, with its settings and why its last apply failed. Secrets are never shown, only
 * whether one is stored (and a key's service account); a form sets the target, and leaving a
 * secret empty keeps the stored one. Shown only to those who may read it (maintainers): the
 * API answers anyone else 403, and then the section is left out rather than shown as an error.
 */
export function EnvironmentTargetSection(props: { project: Project; env: EnvironmentDetail; confirm: (request: ConfirmRequest) => void; paused: boolean; onChanged: () => void }) {
  const { canRead, canChange } = targetPowersOf(props.project, powersOf(props.project));
  if (!canRead) return null;
  return <TargetSection {...props} canChange={canChange} />;
}

function TargetSection({
  project,
  env,
  confirm,
  paused,
  onChanged,
  canChange,
}: {
  project: Project;
  env: EnvironmentDetail;
  confirm: (request: ConfirmRequest) => void;
  paused: boolean;
  onChanged: () => void;
  canChange: boolean;
}) {
  const path = apiPaths.project(project.id).environment(env.id).target;
  const [state, reload] = useLoad(['environment-target', project.id, env.id], async () => {
    try {
      return await api.get<EnvironmentTarget>(path);
    } catch (e) {
      // Not the reader's to see (a role changed since the project was read): no section at all.
      if (e instanceof ApiError && e.status === 403) return null;
      throw e;
    }
  });
  const [editing, setEditing] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const formId = useId();
  // Keyboard users land back on the button that opened the form when it closes.
  const toggle = useRef<HTMLButtonElement>(null);
  const close = () => {
    setEditing(false);
    toggle.current?.focus();
  };
  // A failed apply lands in last_error in the background: the summary follows it, but not while the form is open.
  usePolling(state.status === 'ready' && state.data !== null && !editing && !paused, 5000, reload);
  if (state.status === 'ready' && state.data === null) return null;
  const changed = (message: string) => {
    close();
    setDone(message);
    reload();
    onChanged();
  };
  return (
    <section aria-labelledby="environment-target" data-testid="environment-target">
      <h2 id="environment-target">Target</h2>
      {state.status === 'loading' && <Loading what="Loading the target" />}
      {state.status === 'error' && <ErrorLine error={state.error instanceof Error ? state.error.message : String(state.error)} />}
      {state.status === 'ready' && state.data !== null && (
        <>
          <TargetSummary target={state.data} />
          {canChange && (
            <div className="toolbar" role="group" aria-label="Target actions">
              <button
                ref={toggle}
                type="button"
                aria-expanded={editing}
                aria-controls={editing ? formId : undefined}
                onClick={() => {
                  setDone(null);
                  setEditing(!editing);
                }}
              >
                {state.data.kind === 'agent' ? 'Set a target' : 'Change the target'}
              </button>
              {state.data.kind !== 'agent' && (
                <button
                  type="button"
                  className="reject"
                  onClick={() => {
                    setDone(null);
                    confirm(localAgentsRequest(env.name, state.data!, path, () => changed('The variants run on the local agents again.')));
                  }}
                >
                  Use local agents
                </button>
              )}
              {done && <span role="status">{done}</span>}
            </div>
          )}
          {canChange && editing && <TargetForm id={formId} target={state.data} path={path} onSaved={(kind) => changed(`Saved: the variants run on ${KIND_NAMES[kind]}.`)} onCancel={close} />}
        </>
      )}
    </section>
  );
}

const KIND_NAMES: Record<EnvironmentTarget['kind'], string> = { agent: 'the local agents', kserve: 'KServe', vertex: 'Vertex AI' };

function localAgentsRequest(envName: string, target: EnvironmentTarget, path: string, onDone: () => void): ConfirmRequest {
  const what =
    target.kind === 'vertex'
      ? 'Every model deployed on its Vertex AI endpoint is undeployed and the endpoint deleted (the uploaded models stay in the Google Cloud project).'
      : `Its InferenceServices in the namespace ${target.kserve?.namespace ?? ''} are deleted.`;
  return {
    title: `Use local agents for ${envName}?`,
    body: (
      <p>
        {what} The settings and the stored {target.kind === 'vertex' ? 'key' : 'token'} are forgotten, and what is deployed to {envName} runs on the project's serving agents.
      </p>
    ),
    confirmLabel: 'Use local agents',
    danger: true,
    run: async () => {
      await api.del(path);
      onDone();
    },
  };
}

/** The target's settings as facts: never a secret, only that one is stored. */
function TargetSummary({ target }: { target: EnvironmentTarget }) {
  const facts: [string, ReactNode][] = [];
  let lastError: string | null = null;
  if (target.kind === 'kserve' && target.kserve) {
    const k = target.kserve;
    facts.push(
      ['Runs on', 'KServe: InferenceServices in a Kubernetes namespace'],
      ['Kubernetes API', <code>{k.api_url}</code>],
      ['Namespace', <code>{k.namespace}</code>],
      ['Traffic split by', target.routing === 'native' ? "KServe (canaryTrafficPercent) for single and canary deployments; Modelyard's gateway otherwise" : "Modelyard's gateway"],
      ['Token', k.token_set ? 'token set (never shown)' : 'none'],
      ['CA certificate', k.ca_pem_set ? 'a CA certificate is set' : "the system's CAs"],
      ['Storage service account', k.service_account ? <code>{k.service_account}</code> : 'none'],
    );
    lastError = k.last_error;
  } else if (target.kind === 'vertex' && target.vertex) {
    const v = target.vertex;
    facts.push(
      ['Runs on', 'Vertex AI: models deployed on one endpoint'],
      ['Google Cloud project', <code>{v.gcp_project}</code>],
      ['Location', <code>{v.location}</code>],
      ['Staging folder', <code>{v.staging_uri}</code>],
      ['Machines', `${v.machine_type}, ${v.min_replicas === v.max_replicas ? `${v.min_replicas}` : `${v.min_replicas} to ${v.max_replicas}`} replica${v.max_replicas === 1 ? '' : 's'}`],
      [
        'Service account',
        <>
          {v.service_account === null ? (
            "none: the project's Google Cloud integration was removed (give a key, or set the integration again)"
          ) : (
            <>
              <code>{v.service_account}</code>{' '}
              <span className="muted">{v.key_source === 'project_integration' ? "(the project's Google Cloud integration's key)" : '(its key is stored sealed and never shown)'}</span>
            </>
          )}
        </>,
      ],
      ['Vertex AI API', v.api_url ? <code>{v.api_url}</code> : "Google's regional endpoint"],
      ['Cloud Storage', v.storage_url ? <code>{v.storage_url}</code> : "Google's"],
      ['Traffic split by', "Vertex AI's endpoint"],
    );
    lastError = v.last_error;
  } else {
    facts.push(['Runs on', "Local agents: the project's (or the instance's) modelyard agent processes, behind Modelyard's gateway"]);
  }
  return (
    <>
      {lastError && (
        <div className="error target-error" role="alert" data-testid="target-error">
          <strong>The last apply failed:</strong> {lastError}
        </div>
      )}
      <dl className="facts" data-testid="target-summary">
        {facts.map(([term, value]) => (
          <Fragment key={term}>
            <dt>{term}</dt>
            <dd>{value}</dd>
          </Fragment>
        ))}
      </dl>
    </>
  );
}

/** A field's explanation, read with the field (aria-describedby). */
function Hint({ id, children }: { id: string; children: ReactNode }) {
  return (
    <p id={id} className="hint">
      {children}
    </p>
  );
}

const text = (data: FormData, name: string): string => String(data.get(name) ?? '').trim();
const optionalNumber = (data: FormData, name: string): number | undefined => (text(data, name) === '' ? undefined : Number(text(data, name)));

/** The body of a PUT from the form; the secrets are read here, from the fields, and never kept in state. */
async function bodyOf(kind: Kind, data: FormData): Promise<KServeTargetBody | VertexTargetBody> {
  if (kind === 'vertex') {
    const file = data.get('service_account_key_file');
    const pasted = text(data, 'service_account_key');
    const picked = file instanceof File && file.size > 0;
    if (picked && pasted !== '') throw new Error('Choose a key file or paste the key, not both.');
    const key = picked ? await file.text() : pasted;
    return {
      kind,
      gcp_project: text(data, 'gcp_project'),
      location: text(data, 'location'),
      staging_uri: text(data, 'staging_uri'),
      ...(key === '' ? {} : { service_account_key: key }),
      machine_type: text(data, 'machine_type') || undefined,
      min_replicas: optionalNumber(data, 'min_replicas'),
      max_replicas: optionalNumber(data, 'max_replicas'),
      api_url: text(data, 'api_url') || null,
      storage_url: text(data, 'storage_url') || null,
    };
  }
  const token = text(data, 'token');
  const ca = text(data, 'ca_pem');
  const forgetCa = data.get('forget_ca') === 'on';
  if (ca !== '' && forgetCa) throw new Error("Paste a CA certificate or choose the system's CAs, not both.");
  return {
    kind,
    api_url: text(data, 'api_url'),
    namespace: text(data, 'namespace'),
    routing: text(data, 'routing') === 'native' ? 'native' : 'gateway',
    service_account: text(data, 'service_account') || null,
    ...(token === '' ? {} : { token }),
    ...(ca !== '' ? { ca_pem: ca } : forgetCa ? { ca_pem: null } : {}),
  };
}

/**
 * Sets the target: the kind, then its fields, filled with what is stored when the kind is the
 * current one. Beyond the required fields, the server checks what is given: its 400 names the
 * field and shows beside the Save button, and nothing changes.
 */
function TargetForm({ id, target, path, onSaved, onCancel }: { id: string; target: EnvironmentTarget; path: string; onSaved: (kind: Kind) => void; onCancel: () => void }) {
  const [kind, setKind] = useState<Kind>(target.kind === 'vertex' ? 'vertex' : 'kserve');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <form
      id={id}
      className="target-form"
      aria-label="Target settings"
      onSubmit={(e) => {
        e.preventDefault();
        const data = new FormData(e.currentTarget);
        setBusy(true);
        setError(null);
        void (async () => {
          try {
            await api.put<EnvironmentTarget>(path, await bodyOf(kind, data));
            onSaved(kind);
          } catch (err) {
            setError(err instanceof Error ? err.message : String(err));
          } finally {
            setBusy(false);
          }
        })();
      }}
    >
      <fieldset>
        <legend>Run the variants on</legend>
        <label>
          <input type="radio" name="kind" value="kserve" checked={kind === 'kserve'} onChange={() => setKind('kserve')} /> KServe, in a Kubernetes namespace
        </label>
        <label>
          <input type="radio" name="kind" value="vertex" checked={kind === 'vertex'} onChange={() => setKind('vertex')} /> Vertex AI, on an endpoint in a Google Cloud project
        </label>
      </fieldset>
      {kind === 'vertex' ? <VertexFields key="vertex" stored={target.vertex} /> : <KServeFields key="kserve" stored={target.kserve} routing={target.kind === 'kserve' ? target.routing : 'gateway'} />}
      <ErrorLine error={error} />
      <div className="toolbar">
        <button type="submit" className="primary" disabled={busy}>
          Save target
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function VertexFields({ stored }: { stored: EnvironmentTarget['vertex'] }) {
  const keyHint = useId();
  const machinesHint = useId();
  const apiHint = useId();
  const storageHint = useId();
  return (
    <>
      <label>
        Google Cloud project <input name="gcp_project" required autoComplete="off" spellCheck={false} placeholder="acme-ml" defaultValue={stored?.gcp_project ?? ''} />
      </label>
      <label>
        Location <input name="location" required autoComplete="off" spellCheck={false} placeholder="us-central1" defaultValue={stored?.location ?? ''} />
      </label>
      <label>
        Staging folder <input name="staging_uri" required autoComplete="off" spellCheck={false} placeholder="gs://bucket/prefix" defaultValue={stored?.staging_uri ?? ''} />
      </label>
      <label>
        Service-account key file <input name="service_account_key_file" type="file" accept="application/json" aria-describedby={keyHint} />
      </label>
      <label>
        Or paste the key (JSON) <textarea name="service_account_key" rows={4} spellCheck={false} autoComplete="off" aria-describedby={keyHint} />
      </label>
      <Hint id={keyHint}>
        {stored ? (
          <>
            A key is stored, for <code>{stored.service_account}</code>: leave both empty to keep it.
          </>
        ) : (
          "The JSON key of a service account with roles/aiplatform.user in the project and write access to the staging folder; empty: the project's Google Cloud integration's key (Settings → Integrations)."
        )}{' '}
        It is stored sealed and never shown again.
      </Hint>
      <label>
        Machine type <input name="machine_type" autoComplete="off" spellCheck={false} placeholder="n1-standard-2" defaultValue={stored?.machine_type ?? ''} aria-describedby={machinesHint} />
      </label>
      <div className="replicas">
        <label>
          Minimum replicas <input name="min_replicas" type="number" min={1} max={1000} placeholder="1" defaultValue={stored?.min_replicas ?? ''} aria-describedby={machinesHint} />
        </label>
        <label>
          Maximum replicas <input name="max_replicas" type="number" min={1} max={1000} placeholder="1" defaultValue={stored?.max_replicas ?? ''} aria-describedby={machinesHint} />
        </label>
      </div>
      <Hint id={machinesHint}>Empty: n1-standard-2, one replica (the maximum is the minimum when left empty).</Hint>
      <label>
        Vertex AI API URL (optional) <input name="api_url" inputMode="url" autoComplete="off" spellCheck={false} defaultValue={stored?.api_url ?? ''} aria-describedby={apiHint} />
      </label>
      <Hint id={apiHint}>Empty: Google&apos;s regional endpoint. A private endpoint must be allowed by the server&apos;s outbound policy.</Hint>
      <label>
        Cloud Storage URL (optional) <input name="storage_url" inputMode="url" autoComplete="off" spellCheck={false} defaultValue={stored?.storage_url ?? ''} aria-describedby={storageHint} />
      </label>
      <Hint id={storageHint}>Empty: Google&apos;s Cloud Storage.</Hint>
    </>
  );
}

function KServeFields({ stored, routing }: { stored: EnvironmentTarget['kserve']; routing: EnvironmentTarget['routing'] }) {
  const apiHint = useId();
  const tokenHint = useId();
  const caHint = useId();
  const routingField = useId();
  const routingHint = useId();
  const accountHint = useId();
  return (
    <>
      <label>
        Kubernetes API URL{' '}
        <input
          name="api_url"
          required
          inputMode="url"
          autoComplete="off"
          spellCheck={false}
          placeholder="https://k8s.example.com:6443"
          defaultValue={stored?.api_url ?? ''}
          aria-describedby={apiHint}
        />
      </label>
      <Hint id={apiHint}>A private address must be allowed by the server&apos;s outbound policy.</Hint>
      <label>
        Namespace <input name="namespace" required autoComplete="off" spellCheck={false} placeholder="models" defaultValue={stored?.namespace ?? ''} />
      </label>
      <label>
        Token <input name="token" type="password" required={!stored?.token_set} autoComplete="off" spellCheck={false} aria-describedby={tokenHint} />
      </label>
      <Hint id={tokenHint}>
        {stored?.token_set ? 'A token is stored: leave this empty to keep it.' : 'The bearer token of a service account that may manage InferenceServices in the namespace.'} It is stored sealed and
        never shown again.
      </Hint>
      <label>
        CA certificate (PEM) <textarea name="ca_pem" rows={4} spellCheck={false} autoComplete="off" placeholder="-----BEGIN CERTIFICATE-----" aria-describedby={caHint} />
      </label>
      <Hint id={caHint}>{stored?.ca_pem_set ? 'A CA certificate is stored: leave this empty to keep it.' : "Empty: the API server's certificate is checked against the system's CAs."}</Hint>
      {stored?.ca_pem_set && (
        <label className="check">
          <input type="checkbox" name="forget_ca" /> Forget the stored CA certificate and use the system&apos;s CAs
        </label>
      )}
      {/* Labelled from outside: a select inside its label would add its chosen option to its name. */}
      <label htmlFor={routingField}>Traffic split by</label>
      <select id={routingField} name="routing" defaultValue={routing} aria-describedby={routingHint}>
        <option value="gateway">Modelyard&apos;s gateway</option>
        <option value="native">KServe (native)</option>
      </select>
      <Hint id={routingHint}>Native: KServe&apos;s canaryTrafficPercent splits single and canary deployments, and the gateway the others.</Hint>
      <label>
        Storage service account (optional) <input name="service_account" autoComplete="off" spellCheck={false} defaultValue={stored?.service_account ?? ''} aria-describedby={accountHint} />
      </label>
      <Hint id={accountHint}>The Kubernetes service account whose Secret holds S3 credentials, for versions stored in s3://.</Hint>
    </>
  );
}
