import { describe, expect, it } from 'vitest';
import { compileConfig } from '../../src/pipelines/config/compile.ts';
import { parseDuration } from '../../src/pipelines/config/durations.ts';
import { planPipeline } from '../../src/pipelines/config/plan.ts';
import type { CompiledConfig, ConfigError, PlannedJob } from '../../src/pipelines/config/types.ts';

/** YAML written indented in the test: the first line break and the common indentation go. */
function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const lines = String.raw({ raw: strings.raw }, ...values)
    .split('\n')
    .slice(1);
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)?.[0].length ?? 0));
  return lines.map((l) => l.slice(indent)).join('\n');
}

function compiled(content: string, templates?: Record<string, string>): CompiledConfig {
  const result = compileConfig(content, { templates: (name) => templates?.[name] });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.config;
}

function errorsOf(content: string, templates?: Record<string, string>): ConfigError[] {
  const result = compileConfig(content, { templates: (name) => templates?.[name] });
  if (result.ok) throw new Error('expected errors');
  return result.errors;
}

function planned(content: string, variables: Record<string, string> = {}): PlannedJob[] {
  const result = planPipeline(compiled(content), variables);
  if (!result.created) throw new Error(JSON.stringify(result));
  return result.jobs;
}

const at = (line: number, column: number, message: string | RegExp) => ({
  line,
  column,
  message: typeof message === 'string' ? message : expect.stringMatching(message),
});

describe('compileConfig', () => {
  it('compiles a valid file with defaults, anchors and every value form', () => {
    const config = compiled(yaml`
      stages: [build, train]
      variables:
        EPOCHS: 10
        LR: 0.10
        DEBUG: true
        MODEL: { value: resnet, description: which model }
      .python: &python
        image: python:3.12
      default:
        before_script: [pip install -r requirements.txt]
        retry: 1
        timeout: 1h 30m
        artifacts: { paths: [out/], expire_in: 3 days }
      .setup: &setup [echo one, echo two]
      build:
        <<: *python
        stage: build
        script: make
      train:
        stage: train
        image: { name: pytorch/pytorch }
        tags: [gpu]
        before_script: []
        script: [*setup, python train.py]
        retry: { max: 2, when: [script_failure, runner_system_failure] }
        timeout: 30 minutes
        environment: { name: staging, action: prepare, url: https://s.example }
        artifacts: { paths: [model/], expire_in: never, when: always }
        variables: { BATCH: 32 }
    `);
    expect(config.stages).toEqual(['.pre', 'build', 'train', '.post']);
    expect(config.variables).toEqual({ EPOCHS: '10', LR: '0.10', DEBUG: 'true', MODEL: 'resnet' });
    const [build, train] = config.jobs;
    expect(build).toEqual({
      name: 'build',
      stage: 'build',
      script: ['make'],
      beforeScript: ['pip install -r requirements.txt'],
      afterScript: [],
      image: 'python:3.12',
      tags: [],
      when: 'on_success',
      allowFailure: false,
      retry: { max: 1, when: ['always'] },
      timeoutSeconds: 5400,
      artifacts: { paths: ['out/'], expireInSeconds: 3 * 86400 },
      variables: {},
      line: 15,
    });
    expect(train).toMatchObject({
      name: 'train',
      image: 'pytorch/pytorch',
      tags: ['gpu'],
      beforeScript: [],
      line: 19,
      script: ['echo one', 'echo two', 'python train.py'],
      retry: { max: 2, when: ['script_failure', 'runner_system_failure'] },
      timeoutSeconds: 1800,
      environment: { name: 'staging', action: 'prepare', url: 'https://s.example' },
      artifacts: { paths: ['model/'], neverExpire: true, when: 'always' },
      variables: { BATCH: '32' },
    });
    expect(train?.needs).toBeUndefined();
  });

  it('uses the default stages, keeps .pre/.post first and last, and ignores hidden jobs', () => {
    const config = compiled('.hidden: { nothing: valid }\nsetup: { stage: .pre, script: x }\nlint: { script: x }\n');
    expect(config.stages).toEqual(['.pre', 'build', 'test', 'deploy', '.post']);
    expect(config.jobs.map((j) => [j.name, j.stage])).toEqual([
      ['setup', '.pre'],
      ['lint', 'test'],
    ]);
    expect(compiled('stages: [.post, a, .pre]\nj: { stage: a, script: x }').stages).toEqual(['.pre', 'a', '.post']);
  });

  it('reports invalid YAML at the parser line and column', () => {
    expect(errorsOf('job:\n\tscript: x\n')).toEqual([at(2, 1, 'Tabs are not allowed as indentation')]);
    expect(errorsOf('stages: [a]\njob:\n  script: x: y\n')).toEqual([at(3, 11, /Nested mappings are not allowed/)]);
    expect(errorsOf('a:\n  script: x\na:\n  script: y\n')).toEqual([at(3, 1, /Map keys must be unique/)]);
    expect(errorsOf('')).toEqual([at(1, 1, /empty/)]);
    expect(errorsOf('- just\n- a list\n')).toEqual([at(1, 1, 'root config should be a hash')]);
  });

  it('refuses unknown keywords at their own lines and collects every error', () => {
    expect(
      errorsOf(yaml`
      image: python
      default:
        interruptible: true
      workflow:
        name: x
      train:
        script: x
        cache: { paths: [a] }
        extends: .base
      lonely: just a string
    `),
    ).toEqual([
      at(1, 1, 'root config contains unknown keys: image; use default:image'),
      at(3, 3, 'default config contains unknown keys: interruptible'),
      at(5, 3, 'workflow config contains unknown keys: name'),
      at(8, 3, 'train config contains unknown keys: cache'),
      at(9, 3, 'train config contains unknown keys: extends'),
      at(10, 9, 'lonely config should be a hash'),
    ]);
  });

  it('requires a script', () => {
    expect(errorsOf('a:\n  stage: test\nb:\n  script: []\nc:\n  script: [[x, 1]]\n')).toEqual([
      at(1, 1, 'a config should implement the script: keyword'),
      at(4, 11, "b:script config can't be blank"),
      at(6, 11, /c:script config should be a string or a nested array/),
    ]);
  });

  it('refuses a job in an undeclared stage', () => {
    expect(errorsOf('stages: [build]\na:\n  stage: deploy\n  script: x\nb:\n  script: x\n')).toEqual([
      at(3, 10, 'a job: chosen stage deploy does not exist; available stages are .pre, build, .post'),
      at(5, 1, 'b job: chosen stage test does not exist; available stages are .pre, build, .post'),
    ]);
  });

  it('checks needs against the jobs and their stages', () => {
    expect(
      errorsOf(yaml`
      build: { stage: build, script: x, needs: [nope] }
      test: { stage: test, script: x, needs: [deploy, { job: build, pipeline: other }] }
      deploy: { stage: deploy, script: x }
      a: { script: x, needs: [b] }
      b: { script: x, needs: [{ job: a }] }
    `),
    ).toEqual([
      at(1, 43, 'build job: undefined need: nope'),
      at(2, 41, 'test job: need deploy is not defined in current or prior stages'),
      at(2, 63, 'test:needs:need config contains unknown keys: pipeline'),
      at(5, 32, 'b job: circular dependency detected in needs: a'),
    ]);
    const config = compiled('a: { script: x }\nb: { script: x, needs: [a, { job: a }, { job: c, optional: true, artifacts: false }] }\nc: { script: x }\n');
    expect(config.jobs[1]).toMatchObject({ needs: ['a', 'c'], optionalNeeds: ['c'] });
  });

  it('validates rules: only if, when, allow_failure and variables', () => {
    expect(
      errorsOf(yaml`
      job:
        script: x
        rules:
          - if: $A == "1" &&
          - changes: [src/**]
          - exists: [Dockerfile]
            when: delayed
          - if: $A
            start_in: 1h
      workflow:
        rules: [{ when: manual }]
    `),
    ).toEqual([
      at(4, 11, /job:rules:rule if invalid expression syntax: unexpected end of expression/),
      at(5, 7, 'job:rules:rule changes is not supported; only if, when and variables are'),
      at(6, 7, 'job:rules:rule exists is not supported; only if, when and variables are'),
      at(7, 13, 'job:rules:rule when config should be one of: on_success, on_failure, always, manual, never'),
      at(9, 7, 'job:rules:rule config contains unknown keys: start_in'),
      at(11, 19, 'workflow:rules:rule when config should be one of: always, never'),
    ]);
  });

  it('reads retry forms and refuses the others', () => {
    const retryOf = (value: string) => compiled(`j:\n  script: x\n  retry: ${value}\n`).jobs[0]?.retry;
    expect(retryOf('0')).toEqual({ max: 0, when: ['always'] });
    expect(retryOf('2')).toEqual({ max: 2, when: ['always'] });
    expect(retryOf('{ max: 1, when: api_failure }')).toEqual({ max: 1, when: ['api_failure'] });
    expect(retryOf('{ when: [script_failure] }')).toEqual({ max: 0, when: ['script_failure'] });
    expect(compiled('j: { script: x }').jobs[0]?.retry).toEqual({ max: 0, when: ['always'] });
    expect(errorsOf('j:\n  script: x\n  retry: 3\n')).toEqual([at(3, 10, 'j:retry config should be an integer from 0 to 2')]);
    expect(errorsOf('j:\n  script: x\n  retry: { max: 1, when: [oops], exit_codes: 1 }\n')).toEqual([
      at(3, 26, 'j:retry:when contains unknown values: oops'),
      at(3, 34, 'j:retry config contains unknown keys: exit_codes'),
    ]);
  });

  it('parses GitLab durations', () => {
    const table: [string | number, number | undefined][] = [
      ['1h', 3600],
      ['30 minutes', 1800],
      ['1h 30m', 5400],
      ['1h30m', 5400],
      ['2 days', 172800],
      ['3600', 3600],
      [3600, 3600],
      ['1 week', 604800],
      ['1 hour and 30 minutes', 5400],
      ['1.5h', 5400],
      ['10 sec', 10],
      ['1 month', 30 * 86400],
      ['1 year', 365 * 86400],
      ['', undefined],
      ['soon', undefined],
      ['1 fortnight', undefined],
      ['h', undefined],
    ];
    for (const [text, seconds] of table) expect(parseDuration(text), String(text)).toBe(seconds);
  });

  it('limits timeouts to a week and refuses bad durations', () => {
    expect(compiled('j: { script: x, timeout: 1 week }').jobs[0]?.timeoutSeconds).toBe(604800);
    expect(errorsOf('j:\n  script: x\n  timeout: 8 days\n  artifacts: { expire_in: whenever }\n')).toEqual([
      at(3, 12, 'j:timeout config should not exceed 1 week'),
      at(4, 27, 'j:artifacts:expire_in config should be a duration'),
    ]);
  });

  it('defaults allow_failure like GitLab and refuses exit_codes', () => {
    const config = compiled('a: { script: x, when: manual }\nb: { script: x, when: manual, rules: [{ when: manual }] }\n');
    expect(config.jobs.map((j) => j.allowFailure)).toEqual([true, false]);
    expect(errorsOf('j:\n  script: x\n  allow_failure: { exit_codes: [1] }\n')).toEqual([at(3, 18, 'j:allow_failure:exit_codes is not supported; use true or false')]);
  });

  it('reads parallel: matrix and parallel: N, and bounds them', () => {
    const config = compiled('j:\n  script: x\n  parallel:\n    matrix:\n      - { LR: [0.1, 0.01], OPT: adam }\n');
    expect(config.jobs[0]?.matrix).toEqual([{ LR: ['0.1', '0.01'], OPT: ['adam'] }]);
    expect(compiled('j: { script: x, parallel: 3 }').jobs[0]?.parallel).toBe(3);
    const big = 'j:\n  script: x\n  parallel:\n    matrix:\n      - { A: [1,2,3,4,5,6,7,8,9,10], B: [1,2,3,4,5,6,7,8,9,10], C: [1, 2, 3] }\n';
    expect(errorsOf(big)).toEqual([at(5, 7, 'j:parallel:matrix config generates too many jobs (maximum is 200)')]);
    expect(errorsOf('j:\n  script: x\n  parallel:\n    matrix:\n      - { A: { b: c } }\n')).toEqual([at(5, 14, 'j:parallel:matrix:A config should be a string or a non-empty array of strings')]);
    expect(errorsOf('j: { script: x, parallel: 201 }')).toEqual([at(1, 27, 'j:parallel config should be an integer from 1 to 200')]);
  });

  it('merges included templates under the main file', () => {
    const templates = {
      'ML/Train.gitlab-ci.yml': yaml`
        variables: { PYTHON: "3.11", EPOCHS: 5 }
        stages: [train]
        train:
          stage: train
          image: python:3.11
          script: [python train.py]
          variables: { DEVICE: cpu }
        evaluate: { stage: train, script: [python eval.py] }
      `,
    };
    const config = compiled(
      yaml`
      include:
        - template: ML/Train.gitlab-ci.yml
      stages: [train, deploy]
      variables: { EPOCHS: 20 }
      train:
        variables: { DEVICE: cuda }
      deploy: { stage: deploy, script: ./deploy }
    `,
      templates,
    );
    expect(config.stages).toEqual(['.pre', 'train', 'deploy', '.post']);
    expect(config.variables).toEqual({ PYTHON: '3.11', EPOCHS: '20' });
    expect(config.jobs.map((j) => j.name)).toEqual(['train', 'evaluate', 'deploy']);
    expect(config.jobs[0]).toMatchObject({ image: 'python:3.11', script: ['python train.py'], variables: { DEVICE: 'cuda' }, line: 5 });
    const nested = { T: 'include: [{ template: U }]\nt: { script: x }', U: 'u: { script: x }\nvariables: { V: 1 }' };
    expect(compiled('include: { template: T }\nimage_job: { script: x, image: }\n', nested)).toMatchObject({
      variables: { V: '1' },
      jobs: [{ name: 'u' }, { name: 't' }, { name: 'image_job' }],
    });
    expect(errorsOf('include: { template: S }\n', { S: 'include: { template: S }' })).toEqual([at(1, 22, /include nesting is deeper than 10/)]);
  });

  it('reports unknown templates, and template errors at the include', () => {
    expect(errorsOf('include:\n  - template: Nope.yml\nj: { script: x }\n')).toEqual([at(2, 15, 'Included template Nope.yml does not exist')]);
    expect(errorsOf('include:\n  - template: T\n', { T: 'j:\n  script: x\n  bogus: 1\n' })).toEqual([at(2, 15, 'j config contains unknown keys: bogus (in template T, line 3 column 3)')]);
    expect(errorsOf('include:\n  - local: ci/x.yml\nj: { script: x }\n')).toEqual([at(2, 5, 'include config contains unknown keys: local'), at(2, 5, /include config should contain template/)]);
  });

  it('refuses YAML whose aliases repeat it past 250 000 nodes ("billion laughs"), at once', () => {
    const laughs = (levels: number) =>
      ['a: &a [x]', ...Array.from({ length: levels }, (_, i) => `b${i}: &b${i} [*${i === 0 ? 'a' : `b${i - 1}`}, *${i === 0 ? 'a' : `b${i - 1}`}]`), `job:\n  script: *b${levels - 1}`].join('\n');
    // Each level doubles the tree: 20 levels make a million nodes from 400 bytes, 40 a trillion.
    for (const levels of [20, 40]) {
      const started = performance.now();
      expect(errorsOf(laughs(levels))).toEqual([at(1, 7, 'the YAML has more than 250000 nodes, counting every repetition through aliases')]);
      // Milliseconds on an idle machine; the bound leaves room for a loaded CI machine (the old parser took hours).
      expect(performance.now() - started).toBeLessThan(5000);
    }
  });

  it('resolves every alias with one walk of the file, and still loops no further than 64 levels', () => {
    const jobs = Array.from({ length: 3000 }, (_, i) => `job${i}: { <<: *defaults, script: [echo ${i}] }`).join('\n');
    const config = compiled(`.defaults: &defaults { tags: [gpu], variables: { A: "1" } }\n${jobs}\n`);
    expect(config.jobs).toHaveLength(3000);
    expect(config.jobs[2999]).toMatchObject({ name: 'job2999', tags: ['gpu'], variables: { A: '1' } });
    expect(errorsOf('a: &a [*a]\njob:\n  script: *a\n')).toContainEqual(expect.objectContaining({ message: 'YAML nesting is too deep' }));
  });

  it('reads artifacts as GitLab Runner needs them: name, untracked, exclude, dotenv and junit reports; refuses other reports by name', () => {
    const [job] = compiled('a:\n  script: [x]\n  artifacts:\n    name: bundle\n    untracked: true\n    exclude: ["*.tmp"]\n    reports:\n      dotenv: build.env\n      junit: [a.xml, b.xml]\n').jobs;
    expect(job!.artifacts).toEqual({ paths: [], name: 'bundle', untracked: true, exclude: ['*.tmp'], reports: { dotenv: ['build.env'], junit: ['a.xml', 'b.xml'] } });
    expect(errorsOf('a:\n  script: [x]\n  artifacts:\n    reports:\n      sast: gl-sast.json\n')).toEqual([at(5, 7, 'a:artifacts:reports config contains unknown keys: sast')]);
  });

  it('checks dependencies: jobs of earlier stages only', () => {
    expect(compiled('a:\n  stage: build\n  script: [x]\nb:\n  dependencies: [a]\n  script: [y]\n').jobs[1]!.dependencies).toEqual(['a']);
    expect(errorsOf('a:\n  script: [x]\nb:\n  dependencies: [a, nope]\n  script: [y]\n').map((e) => e.message)).toEqual([
      'b job: dependency a is not defined in prior stages',
      'b job: undefined dependency: nope',
    ]);
  });

  it('refuses !reference tags', () => {
    expect(errorsOf('.a: { script: [x] }\nj:\n  script: !reference [.a, script]\n')).toEqual([at(3, 22, '!reference tags are not supported')]);
  });
});

describe('planPipeline', () => {
  const names = (jobs: PlannedJob[]) => jobs.map((j) => j.name);

  it('applies job rules: first match decides, when: never and no match exclude', () => {
    const content = yaml`
      variables: { LEVEL: global }
      train:
        script: x
        variables: { LEVEL: job }
        rules:
          - if: $CI_COMMIT_BRANCH == "main"
            when: never
          - if: $CI_PIPELINE_SOURCE == "schedule"
            when: manual
            allow_failure: true
            variables: { LEVEL: rule }
          - if: $CI_COMMIT_TAG
    `;
    const config = compiled(content);
    expect(planPipeline(config, { CI_COMMIT_BRANCH: 'main', CI_PIPELINE_SOURCE: 'schedule' })).toEqual({ created: false, reason: 'no jobs' });
    const [scheduled] = planned(content, { CI_PIPELINE_SOURCE: 'schedule' });
    expect(scheduled).toMatchObject({ when: 'manual', allowFailure: true, variables: { LEVEL: 'rule' } });
    expect(scheduled?.variables).not.toHaveProperty('CI_PIPELINE_SOURCE');
    expect(planned(content, { CI_COMMIT_TAG: 'v1' })[0]).toMatchObject({ when: 'on_success', variables: { LEVEL: 'job' } });
    expect(planPipeline(config, {})).toEqual({ created: false, reason: 'no jobs' });
  });

  it('applies workflow rules and their variables', () => {
    const content = yaml`
      variables: { MODE: default }
      workflow:
        rules:
          - if: $CI_COMMIT_MESSAGE =~ /wip/i
            when: never
          - if: $CI_COMMIT_BRANCH == "main"
            variables: { MODE: release }
          - if: $CI_COMMIT_BRANCH
      deploy:
        script: x
        rules: [{ if: $MODE == "release" }]
      test: { script: x }
    `;
    const config = compiled(content);
    const filtered = { created: false, reason: 'Pipeline filtered out by workflow rules.' };
    expect(planPipeline(config, { CI_COMMIT_BRANCH: 'main', CI_COMMIT_MESSAGE: 'WIP: x' })).toEqual(filtered);
    expect(planPipeline(config, {})).toEqual(filtered);
    expect(names(planned(content, { CI_COMMIT_BRANCH: 'dev' }))).toEqual(['test']);
    const jobs = planned(content, { CI_COMMIT_BRANCH: 'main' });
    expect(names(jobs)).toEqual(['deploy', 'test']);
    expect(jobs[0]?.variables).toEqual({ MODE: 'release' });
  });

  it('orders by stage then file order, and waits for every earlier stage without needs', () => {
    const jobs = planned(yaml`
      stages: [prepare, train, deploy]
      deploy: { stage: deploy, script: x }
      train-a: { stage: train, script: x }
      data: { stage: prepare, script: x }
      train-b: { stage: train, script: x, needs: [] }
      cleanup: { stage: .post, script: x, when: always }
      off: { script: x, stage: train, when: never }
    `);
    expect(jobs.map((j) => [j.name, j.stageIndex, j.needs, j.needsWasDeclared])).toEqual([
      ['data', 1, [], false],
      ['train-a', 2, ['data'], false],
      ['train-b', 2, [], true],
      ['deploy', 3, ['data', 'train-a', 'train-b'], false],
      ['cleanup', 4, ['data', 'train-a', 'train-b', 'deploy'], false],
    ]);
    expect(planPipeline(compiled('setup: { stage: .pre, script: x }'), {})).toMatchObject({ created: false, reason: /only .pre or .post/ });
  });

  it('expands matrices into named instances with their variables, and needs on them', () => {
    const jobs = planned(yaml`
      variables: { OPT: none, LR: '1' }
      train:
        script: x
        variables: { OPT: job }
        parallel:
          matrix:
            - LR: ['0.1', '0.01']
              OPT: [adam, sgd]
            - LR: '1.0'
              OPT: lion
        rules:
          - if: $OPT == "sgd" && $LR == "0.01"
            when: never
          - when: on_success
      shard: { script: x, parallel: 2 }
      report: { stage: deploy, script: x, needs: [train, 'shard 2/2'] }
    `);
    expect(names(jobs)).toEqual(['train: [0.1, adam]', 'train: [0.1, sgd]', 'train: [0.01, adam]', 'train: [1.0, lion]', 'shard 1/2', 'shard 2/2', 'report']);
    expect(jobs[1]).toMatchObject({ baseName: 'train', variables: { OPT: 'sgd', LR: '0.1' } });
    expect(jobs[4]?.variables).toEqual({ OPT: 'none', LR: '1', CI_NODE_INDEX: '1', CI_NODE_TOTAL: '2' });
    expect(jobs[6]?.needs).toEqual(['train: [0.1, adam]', 'train: [0.1, sgd]', 'train: [0.01, adam]', 'train: [1.0, lion]', 'shard 2/2']);
  });

  it('resolves dependencies to the planned jobs, matrix instances included', () => {
    const jobs = planned('m:\n  stage: build\n  parallel: 2\n  script: [x]\nother:\n  stage: build\n  script: [x]\nuse:\n  dependencies: [m]\n  script: [y]\nall:\n  script: [z]\n');
    expect(jobs.find((j) => j.name === 'use')!.dependencies).toEqual(['m 1/2', 'm 2/2']);
    expect(jobs.find((j) => j.name === 'all')!.dependencies).toBeUndefined(); // then: every job it waits for
  });

  it('fails on a need that rules left out, unless it is optional', () => {
    const content = (optional: boolean) => yaml`
      gpu: { stage: build, script: x, rules: [{ if: $GPU }] }
      train: { stage: test, script: x, needs: [{ job: gpu, optional: ${String(optional)} }] }
    `;
    const result = planPipeline(compiled(content(false)), {});
    expect(result).toEqual({ created: false, errors: [at(2, 1, /^'train' job needs 'gpu' job, but 'gpu' does not exist in the pipeline/)] });
    expect(planned(content(true))[0]).toMatchObject({ name: 'train', needs: [], needsWasDeclared: true });
    expect(planned(content(false), { GPU: '1' })[1]?.needs).toEqual(['gpu']);
  });
});
