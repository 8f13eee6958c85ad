import { Type, type Static } from 'typebox';

/**
 * What runners send, as GitLab Runner sends it (common/network.go). Every schema lets unknown
 * fields through, as GitLab does: a runner newer than the server adds fields, and refusing them
 * would lock it out. Only the fields the server reads are typed; their types are lenient where
 * GitLab's are (a tag list is an array or a comma-separated string).
 */
const open = { additionalProperties: true } as const;

export const RunnerToken = Type.String({ minLength: 1, maxLength: 200 });

export const GpuInfo = Type.Object({ name: Type.String({ maxLength: 200 }), memory_mib: Type.Optional(Type.Integer({ minimum: 0 })), driver: Type.Optional(Type.String({ maxLength: 100 })) }, open);
export type GpuInfo = Static<typeof GpuInfo>;

/** GitLab's VersionInfo; `gpus` is Modelyard's addition (GitLab sends `config.gpus`, a string). */
export const VersionInfo = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 100 })),
    version: Type.Optional(Type.String({ maxLength: 100 })),
    revision: Type.Optional(Type.String({ maxLength: 100 })),
    platform: Type.Optional(Type.String({ maxLength: 100 })),
    architecture: Type.Optional(Type.String({ maxLength: 100 })),
    executor: Type.Optional(Type.String({ maxLength: 100 })),
    shell: Type.Optional(Type.String({ maxLength: 100 })),
    features: Type.Optional(Type.Object({}, open)),
    config: Type.Optional(Type.Object({ gpus: Type.Optional(Type.String({ maxLength: 200 })) }, open)),
    gpus: Type.Optional(Type.Array(GpuInfo, { maxItems: 64 })),
  },
  open,
);
export type VersionInfo = Static<typeof VersionInfo>;

export const TagList = Type.Union([Type.Array(Type.String({ maxLength: 64 }), { maxItems: 50 }), Type.String({ maxLength: 3300 })]);

export const RegisterRunnerRequest = Type.Object(
  {
    token: RunnerToken,
    description: Type.Optional(Type.String({ maxLength: 255 })),
    maintenance_note: Type.Optional(Type.String({ maxLength: 1024 })),
    tag_list: Type.Optional(TagList),
    run_untagged: Type.Optional(Type.Boolean()),
    locked: Type.Optional(Type.Boolean()),
    paused: Type.Optional(Type.Boolean()),
    active: Type.Optional(Type.Boolean()),
    access_level: Type.Optional(Type.String({ maxLength: 50 })),
    maximum_timeout: Type.Optional(Type.Integer()),
    info: Type.Optional(VersionInfo),
  },
  open,
);
export type RegisterRunnerRequest = Static<typeof RegisterRunnerRequest>;

/** Answer of register (201) and verify (200); `token_expires_at` null: runner tokens do not expire. */
export const RunnerCredentialsResponse = Type.Object({ id: Type.Integer(), token: Type.String(), token_expires_at: Type.Null() });
export type RunnerCredentialsResponse = Static<typeof RunnerCredentialsResponse>;

export const VerifyRunnerRequest = Type.Object({ token: RunnerToken, system_id: Type.Optional(Type.String({ maxLength: 100 })) }, open);
export const UnregisterRunnerRequest = Type.Object({ token: RunnerToken }, open);
export const UnregisterRunnerManagerRequest = Type.Object({ token: RunnerToken, system_id: Type.String({ minLength: 1, maxLength: 100 }) }, open);
export const ResetTokenRequest = Type.Object({ token: RunnerToken }, open);

export const JobRequest = Type.Object(
  {
    token: RunnerToken,
    system_id: Type.Optional(Type.String({ maxLength: 100 })),
    info: Type.Optional(VersionInfo),
    /**
     * The `X-GitLab-Last-Update` value of the runner's previous request. A runner that sends one
     * has already been told there is nothing for it, so the server holds this request (long
     * polling, up to 50 s) until a job comes; without one it answers at once.
     */
    last_update: Type.Optional(Type.String({ maxLength: 100 })),
    session: Type.Optional(Type.Object({}, open)),
  },
  open,
);
export type JobRequest = Static<typeof JobRequest>;

export const JOB_STATES = ['running', 'success', 'failed'] as const;
export type JobState = (typeof JOB_STATES)[number];

export const UpdateJobRequest = Type.Object(
  {
    /** The job's token (GitLab's field name). */
    token: RunnerToken,
    state: Type.Optional(Type.Union([...JOB_STATES.map((s) => Type.Literal(s)), Type.Literal('pending')])),
    failure_reason: Type.Optional(Type.String({ maxLength: 100 })),
    /** Bounded to PostgreSQL's integer, the column that keeps it. */
    exit_code: Type.Optional(Type.Integer({ minimum: -2147483648, maximum: 2147483647 })),
    /** The whole log as the runner has it: `crc32:<8 hex>` and its length in bytes. */
    output: Type.Optional(Type.Object({ checksum: Type.Optional(Type.String({ maxLength: 100 })), bytesize: Type.Optional(Type.Integer({ minimum: 0 })) }, open)),
    checksum: Type.Optional(Type.String({ maxLength: 100 })),
    info: Type.Optional(VersionInfo),
  },
  open,
);
export type UpdateJobRequest = Static<typeof UpdateJobRequest>;

/** The response header that carries the queue state a runner sends back as `last_update`. */
export const LAST_UPDATE_HEADER = 'X-GitLab-Last-Update';
/** At most this long does the server hold a job request (GitLab Workhorse's long polling). */
export const LONG_POLL_SECONDS = 50;
