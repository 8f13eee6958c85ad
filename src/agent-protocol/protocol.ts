import { Type, type Static } from 'typebox';

/**
 * The serving agent protocol: the wire types `modelyard agent` and the server share. Both sides
 * import this file and nothing else of each other (the agent imports no server code at all), so
 * it depends on `typebox` only.
 *
 * Objects are declared open on purpose: an agent and a server of different versions talk, so a
 * receiver ignores fields it does not know (as GitLab's runner protocol does). The server's
 * response check still treats every answer as closed, so the server cannot send a field this
 * file does not declare.
 *
 * Every call carries `Authorization: Bearer glagent-…`.
 */

/** What every agent token starts with. */
export const AGENT_TOKEN_PREFIX = 'glagent-';

/** The routes of the protocol, relative to the server's URL. */
export const AgentPaths = {
  sessions: '/api/v4/agent/sessions',
  assignments: '/api/v4/agent/assignments',
  instance: (instanceId: string) => `/api/v4/agent/instances/${encodeURIComponent(instanceId)}`,
} as const;

/** The longest a server holds an assignments request open (`wait`). */
export const MAX_ASSIGNMENTS_WAIT_SECONDS = 50;

// --- 1. check-in: POST /api/v4/agent/sessions ------------------------------------------------

export const CheckInBody = Type.Object(
  {
    version: Type.String({ maxLength: 64, description: "The agent's Modelyard version" }),
    platform: Type.String({ maxLength: 64, description: 'e.g. linux/x64' }),
    labels: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 255 }), { maxItems: 50, description: 'Labels given on the command line (`--labels`), beside the ones the agent was created with' }),
    ),
    python: Type.Optional(
      Type.Object(
        { version: Type.String({ maxLength: 64 }), mlflow: Type.String({ maxLength: 64 }) },
        { description: 'The Python the agent serves MLflow models with, and its mlflow; absent when the agent could not ask it' },
      ),
    ),
  },
  { description: 'An agent checking in (at start and after it lost the server)' },
);
export type CheckInBody = Static<typeof CheckInBody>;

export const CheckInReply = Type.Object({
  agent_id: Type.Integer(),
  poll_seconds: Type.Integer({ minimum: 1, maximum: MAX_ASSIGNMENTS_WAIT_SECONDS, description: 'How long each assignments request should wait on the server (`wait`)' }),
});
export type CheckInReply = Static<typeof CheckInReply>;

// --- 2. assignments: GET /api/v4/agent/assignments?revision=&wait= ---------------------------

export const AssignmentsQuery = Type.Object({
  revision: Type.Optional(Type.String({ maxLength: 128, description: 'The revision the agent holds; without it the server answers at once' })),
  wait: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_ASSIGNMENTS_WAIT_SECONDS, description: 'Seconds to hold the request while the desired state equals `revision` (long poll); then 304' })),
});
export type AssignmentsQuery = Static<typeof AssignmentsQuery>;

export const InstanceIdPattern = '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$';

/** How a variant's model server is started. */
export const ServerSpec = Type.Union([
  Type.Object(
    { kind: Type.Literal('mlflow') },
    { description: "MLflow's scoring server: `PYTHON -m mlflow models serve -m {model_dir} --env-manager local -h {host} -p {port}` ({host}: 127.0.0.1 unless the agent runs with --listen-address)" },
  ),
  Type.Object(
    {
      kind: Type.Literal('command'),
      argv: Type.Array(Type.String({ maxLength: 4096 }), {
        minItems: 1,
        maxItems: 256,
        description: 'The program and its arguments; `{model_dir}`, `{host}` and `{port}` are replaced in each. Run without a shell.',
      }),
      env: Type.Optional(
        Type.Record(Type.String({ maxLength: 255 }), Type.String({ maxLength: 32_768 }), { description: 'Added to the environment; `{model_dir}`, `{host}` and `{port}` are replaced here too' }),
      ),
    },
    { description: "The environment's command template, for versions that are not MLflow models" },
  ),
]);
export type ServerSpec = Static<typeof ServerSpec>;

/** One model server the agent must run: a variant of an environment's current deployment. */
export const Instance = Type.Object({
  instance_id: Type.String({ pattern: InstanceIdPattern, description: 'Stable while the server should run the same thing; the agent names its files and reports by it' }),
  project: Type.Object({ id: Type.Integer(), path: Type.String() }),
  environment: Type.Object({ id: Type.Integer(), name: Type.String() }),
  deployment_id: Type.Integer(),
  variant: Type.String({ description: 'The variant\'s name in the deployment: "stable", "canary", "b", …' }),
  model: Type.Object({
    name: Type.String(),
    version: Type.Integer({ minimum: 1 }),
    semver: Type.String(),
    flavor: Type.Union([Type.String(), Type.Null()], { description: "The MLflow flavor (e.g. python_function, sklearn); null when the version's files are not an MLflow model" }),
  }),
  files: Type.Object(
    {
      url: Type.String({
        pattern: '^/',
        maxLength: 2048,
        description: "The version's archive (GET …/versions/:version/archive), as a path on the server: the agent resolves it against its --url and sends its token only there",
      }),
      sha256: Type.String({ pattern: '^[0-9a-f]{64}$', description: "The archive's SHA-256 (its ETag); the agent refuses other bytes" }),
      size: Type.Integer({ minimum: 0, description: "The archive's size in bytes" }),
    },
    { description: "The version's files, a tar.gz downloadable with the agent's token" },
  ),
  server: ServerSpec,
  image: Type.Optional(
    Type.Object(
      {
        reference: Type.String({ maxLength: 255, description: 'Where the image is, e.g. `localhost/team/clf:1.0.0`' }),
        digest: Type.String({ pattern: '^sha256:[0-9a-f]{64}$', description: "The image's manifest digest; the agent runs the image by it" }),
      },
      { description: 'The newest container image recorded on the version (POST …/versions/:version/images); agents in container mode (`--serve-with container`) run it with podman' },
    ),
  ),
  health: Type.Object({
    path: Type.String({ pattern: '^/', maxLength: 1024, description: "Polled with GET; a 200 is healthy (MLflow's is /ping)" }),
    interval_seconds: Type.Number({ minimum: 0.01, maximum: 3600 }),
    timeout_seconds: Type.Number({ minimum: 0.01, maximum: 3600 }),
  }),
});
export type Instance = Static<typeof Instance>;

export const Assignments = Type.Object(
  {
    revision: Type.String({ maxLength: 128, description: 'Opaque; changes whenever the instances do' }),
    instances: Type.Array(Instance, { description: 'Everything the agent must run; it stops every process not listed' }),
  },
  { description: "The agent's desired state (200); a 304 with no body when it still equals the `revision` sent" },
);
export type Assignments = Static<typeof Assignments>;

// --- 3. instance reports: PUT /api/v4/agent/instances/:instance_id ---------------------------

export const InstanceState = Type.Union([Type.Literal('fetching'), Type.Literal('starting'), Type.Literal('ready'), Type.Literal('unhealthy'), Type.Literal('failed'), Type.Literal('stopped')], {
  description: 'fetching the files → starting → ready ⇄ unhealthy; failed (crashed or could not fetch; restarting with back-off); stopped',
});
export type InstanceState = Static<typeof InstanceState>;
export const InstanceStates: readonly InstanceState[] = ['fetching', 'starting', 'ready', 'unhealthy', 'failed', 'stopped'];

export const InstanceParams = Type.Object({ instance_id: Type.String({ pattern: InstanceIdPattern }) });
export type InstanceParams = Static<typeof InstanceParams>;

export const InstanceReport = Type.Object(
  {
    state: InstanceState,
    endpoint: Type.Optional(
      Type.String({
        maxLength: 300,
        pattern: '^http://(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+):[0-9]{1,5}$',
        description:
          'Where the model server listens: "http://127.0.0.1:PORT" on the agent\'s loopback (an agent beside the server), or "http://ADDRESS:PORT" (an agent in a pod of its own, `--listen-address`), which the gateway uses only once the outbound address policy allows it',
      }),
    ),
    restarts: Type.Integer({ minimum: 0, description: 'How often the agent restarted the model server after a crash' }),
    message: Type.Optional(Type.String({ maxLength: 4000, description: 'Why: the last lines of a crashed server, a failed download, …' })),
  },
  { description: "A change of an instance's state; 404 or 410 answer when the instance is no longer assigned (the agent then stops it)" },
);
export type InstanceReport = Static<typeof InstanceReport>;

export const InstanceReportReply = Type.Object({});
export type InstanceReportReply = Static<typeof InstanceReportReply>;
