import type { FuzzData, FuzzRole } from './seed.ts';

/** How often a generated value is replaced by a seeded one (Hypothesis then repeats it often). */
const REAL_VALUE_PROBABILITY = 0.3;

type Value = string | number;

/** TOML basic strings take JSON's escapes. */
const toml = (value: Value): string => (typeof value === 'number' ? String(value) : JSON.stringify(value));
const tomlArray = (values: Value[]): string => `[${values.map(toml).join(', ')}]`;

/** Parameter name (bare: path and query alike; `body.<field>`: a JSON body field) → seeded values. */
function realValues(data: FuzzData): Record<string, Value[]> {
  return {
    model_id: data.modelIds,
    version: data.versions,
    experiment_id: data.experimentIds,
    run_id: data.runIds,
    key: [...data.metricKeys, ...data.variableKeys],
    label: data.labels,
    alias: data.aliases,
    package_id: data.packageIds,
    package_file_id: data.packageFileIds,
    package_name: data.packageNames,
    package_version: data.packageVersions,
    file_name: data.fileNames,
    model_version_id: data.versions,
    pipeline_id: data.pipelineIds,
    job_id: data.jobIds,
    hook_id: data.hookIds,
    trigger_id: data.triggerIds,
    runner_id: data.runnerIds,
    user_id: data.userIds,
    name: data.modelNames,
    path: data.artifactPaths,
    '*': data.artifactPaths,
    'body.run_id': data.runIds,
    'body.experiment_id': data.experimentIds.map(String),
    'body.name': data.modelNames,
    'body.key': data.metricKeys,
    'body.version': data.versions.map(String),
    'body.token': data.runnerTokens,
  };
}

const dictionaryName = (parameter: string) => `seeded_${parameter.replace(/\W/g, '_')}`;

/**
 * The part of the Schemathesis configuration that depends on the seeded instance and the role:
 * the role's credentials, and real ids offered to the generator for path, query and body fields.
 * Appended to test/fuzz/schemathesis.toml, which declares none of these tables.
 */
export function seededConfig(data: FuzzData, role: FuzzRole): string {
  const lines: string[] = [];
  lines.push('', `# Seeded instance, role ${role.name} (written by test/fuzz/config.ts)`);
  lines.push('[auth.openapi]');
  lines.push(`privateToken = { api_key = ${toml(role.token)} }`);
  lines.push(`bearer = { bearer = ${toml(role.token)} }`);

  const values = realValues(data);
  for (const [parameter, list] of Object.entries(values)) {
    lines.push('', `[dictionaries.${dictionaryName(parameter)}]`, `values = ${tomlArray(list)}`);
  }
  lines.push('', '[parameters]');
  for (const parameter of Object.keys(values)) {
    lines.push(`${toml(parameter)} = { dictionary = ${toml(dictionaryName(parameter))}, probability = ${REAL_VALUE_PROBABILITY} }`);
  }

  // Every route below a project gets the seeded project, so the fuzzer reaches its handler
  // instead of "404 Project"; the project routes themselves keep a generated id, which fuzzes
  // the project lookup that all of them share.
  lines.push('', '[[operations]]', `include-path-regex = ${toml('^/api/v4/projects/\\{id\\}/')}`, `parameters = { "path.id" = ${toml(String(data.projectId))} }`);
  // Revoking a token by id: always a spare token of the same person, never the run's own.
  lines.push('', '[[operations]]', 'include-name = "DELETE /api/v4/personal_access_tokens/{token_id}"', `parameters = { "path.token_id" = ${role.spareTokenId} }`);
  // A runner asking for a job may wait for one (long polling: `wait_seconds`, or GitLab's
  // `last_update`), longer than the fuzzer's request timeout; here it asks without waiting and
  // gets a job or 204 at once. (An override for a field the schema lacks is dropped.)
  lines.push('', '[[operations]]', 'include-name = "POST /api/v4/jobs/request"', 'parameters = { "body.wait_seconds" = 0, "body.last_update" = "" }');
  return `${lines.join('\n')}\n`;
}
