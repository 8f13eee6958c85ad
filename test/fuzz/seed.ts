import { Seeder, curve } from '../support/seed.ts';

/** A reporter of the fuzzed project and the tokens each fuzzing role runs with. */
export interface FuzzRole {
  name: 'reporter' | 'admin';
  token: string;
  /** A token of the same person that only the token-revocation route is pointed at. */
  spareTokenId: number;
}

/** Real objects for the fuzzer's path and body parameters to hit, so that handlers run beyond "404". */
export interface FuzzData {
  projectId: number;
  experimentIds: number[];
  runIds: string[];
  metricKeys: string[];
  artifactPaths: string[];
  modelIds: number[];
  modelNames: string[];
  versions: number[];
  packageIds: number[];
  packageFileIds: number[];
  packageNames: string[];
  packageVersions: string[];
  fileNames: string[];
  pipelineIds: number[];
  jobIds: number[];
  hookIds: number[];
  triggerIds: number[];
  runnerIds: number[];
  runnerTokens: string[];
  variableKeys: string[];
  labels: string[];
  aliases: string[];
  userIds: number[];
  roles: FuzzRole[];
}

const REPORTER = 20;

// One stage and one job that needs no runner to exist: the pipeline stays pending, which is all
// the pipeline and job routes need to have something to show, cancel and retry.
const CI_CONFIG = 'train:\n  script:\n    - echo training\n';

async function spareToken(seed: Seeder, userId: number): Promise<number> {
  return (await seed.call<{ id: number }>('POST', `/api/v4/users/${userId}/personal_access_tokens`, { name: 'spare', scopes: ['api'] })).id;
}

/**
 * Seeds one project through the public API with a little of everything the routes read: an
 * experiment with a run (params, metrics, an artifact), a registered model with a version,
 * labels and an alias, a generic package, a pipeline with a job, a webhook, a CI variable, a
 * trigger and a runner; and a reporter member with a token of their own.
 */
export async function seedFuzzData(base: string, adminToken: string): Promise<FuzzData> {
  const seed = new Seeder(base, adminToken);
  const projectId = (await seed.call<{ id: number }>('POST', '/api/v4/projects', { name: 'fuzz', path: 'fuzz' })).id;
  const p = `/api/v4/projects/${projectId}`;

  const experimentId = Number((await seed.mlflow<{ experiment_id: string }>(projectId, 'experiments/create', { name: 'fuzzed' })).experiment_id);
  const run = (await seed.mlflow<{ run: { info: { run_id: string } } }>(projectId, 'runs/create', { experiment_id: String(experimentId), run_name: 'fuzzed-run' })).run.info.run_id;
  await seed.mlflow(projectId, 'runs/log-batch', {
    run_id: run,
    params: [{ key: 'lr', value: '0.01' }],
    tags: [{ key: 'team', value: 'fuzz' }],
    metrics: [...curve('loss', 20, (step) => 1 / (step + 1)), ...curve('accuracy', 20, (step) => step / 20)],
  });
  await seed.artifact(projectId, `${experimentId}/${run}/artifacts/model/model.pkl`, 'weights');

  const model = await seed.call<{ id: number; name: string }>('POST', `${p}/ml/models`, { name: 'fuzz-model', description: 'seeded for the fuzzer' });
  const version = await seed.call<{ version: number }>('POST', `${p}/ml/models/${model.id}/versions`, { run_id: run, description: 'first' });
  await seed.call('POST', `${p}/ml/models/${model.id}/labels`, { label: 'stage::candidate' });
  await seed.call('PUT', `${p}/ml/models/${model.id}/aliases/champion`, { version: version.version });

  await seed.call('PUT', `${p}/packages/generic/fuzz-package/1.0.0/weights.bin`, { weights: [1, 2, 3] });
  const pkg = (await seed.call<{ id: number }[]>('GET', `${p}/packages`))[0]!;
  const packageFile = (await seed.call<{ id: number }[]>('GET', `${p}/packages/${pkg.id}/package_files`))[0]!;

  await seed.call('PUT', `${p}/ci/config`, { content: CI_CONFIG });
  const pipeline = await seed.call<{ id: number }>('POST', `${p}/pipeline`, { ref: 'main' });
  const jobs = await seed.call<{ id: number }[]>('GET', `${p}/pipelines/${pipeline.id}/jobs`);
  const hook = await seed.call<{ id: number }>('POST', `${p}/hooks`, { url: 'http://127.0.0.1:9/hook', events: ['model_version.created'] });
  await seed.call('POST', `${p}/variables`, { key: 'FUZZ_VARIABLE', value: 'value' });
  const trigger = await seed.call<{ id: number }>('POST', `${p}/triggers`, { description: 'fuzz' });
  const runner = await seed.call<{ id: number; token: string }>('POST', '/api/v4/user/runners', { runner_type: 'project_type', project_id: projectId, description: 'fuzz' });

  const reporter = await seed.user('fuzz-reporter', 'fuzz-reporter-password');
  await seed.call('POST', `${p}/members`, { user_id: reporter.id, access_level: REPORTER });
  const admin = await seed.call<{ id: number }>('GET', '/api/v4/user');

  return {
    projectId,
    experimentIds: [experimentId],
    runIds: [run],
    metricKeys: ['loss', 'accuracy'],
    artifactPaths: ['model/model.pkl', `${experimentId}/${run}/artifacts/model/model.pkl`],
    modelIds: [model.id],
    modelNames: [model.name],
    versions: [version.version],
    packageIds: [pkg.id],
    packageFileIds: [packageFile.id],
    packageNames: ['fuzz-package'],
    packageVersions: ['1.0.0'],
    fileNames: ['weights.bin'],
    pipelineIds: [pipeline.id],
    jobIds: jobs.map((job) => job.id),
    hookIds: [hook.id],
    triggerIds: [trigger.id],
    runnerIds: [runner.id],
    runnerTokens: [runner.token],
    variableKeys: ['FUZZ_VARIABLE'],
    labels: ['stage::candidate'],
    aliases: ['champion'],
    userIds: [admin.id, reporter.id],
    roles: [
      { name: 'reporter', token: reporter.token, spareTokenId: await spareToken(seed, reporter.id) },
      { name: 'admin', token: adminToken, spareTokenId: await spareToken(seed, admin.id) },
    ],
  };
}
