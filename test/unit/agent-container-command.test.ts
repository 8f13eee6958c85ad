import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { containerCommand, PODMAN_OPTIONS, PODMAN_RUN_LIMITS } from '../../src/agent/container-command.ts';
import { InstanceSupervisor } from '../../src/agent/instance-supervisor.ts';
import type { Instance } from '../../src/agent-protocol/protocol.ts';

const base = { PATH: '/usr/bin', HOME: '/root', MODELYARD_AGENT_TOKEN: 'glagent-secret' };
const digest = `sha256:${'0f'.repeat(32)}`;
const repoRoot = path.resolve(import.meta.dirname, '../..');

/** An array of scripts/podman-options.sh, as bash expands it. */
const scriptArray = (name: string) =>
  execFileSync('bash', ['-c', `source scripts/podman-options.sh && printf '%s\\n' "\${${name}[@]}"`], { cwd: repoRoot, encoding: 'utf8' })
    .trimEnd()
    .split('\n');

describe("the command a version's image runs with (the agent's container mode)", () => {
  it('is podman run in the foreground, the image by reference and digest, never pulled, published on loopback only, without the agent token', () => {
    const command = containerCommand({ reference: 'localhost/team/clf:1.0.0', digest }, { instanceId: 'e1-v2-abcd1234', host: '127.0.0.1', port: 40123, baseEnv: base });
    expect(command.program).toBe('podman');
    expect(command.args).toEqual([
      '--storage-driver=vfs',
      '--cgroup-manager=cgroupfs',
      '--runtime=runc',
      '--events-backend=file',
      'run',
      '--rm',
      '--replace',
      '--init',
      '--pull',
      'never',
      '--name',
      'modelyard-e1-v2-abcd1234',
      '--ulimit',
      'nofile=16384:16384',
      '--ulimit',
      'nproc=4096:4096',
      '--publish',
      '127.0.0.1:40123:8080',
      `localhost/team/clf:1.0.0@${digest}`,
    ]);
    expect(command.env).toEqual({ PATH: '/usr/bin', HOME: '/root' });
  });

  it('names the image by the recorded digest even when the reference carries another', () => {
    const command = containerCommand(
      { reference: `registry.example.com:5000/clf:1@sha256:${'aa'.repeat(32)}`, digest },
      { instanceId: 'i', host: '10.42.0.17', port: 1, baseEnv: base, podman: '/usr/bin/podman' },
    );
    expect(command.program).toBe('/usr/bin/podman');
    expect(command.args.at(-1)).toBe(`registry.example.com:5000/clf:1@${digest}`);
    // Published on the agent's --listen-address, where a gateway in another pod calls it.
    expect(command.args).toContain('10.42.0.17:1:8080');
  });

  it('uses the same podman options as the scripts that build the images (scripts/podman-options.sh)', () => {
    expect(PODMAN_OPTIONS).toEqual(scriptArray('CONTAINER_PODMAN'));
    expect(PODMAN_RUN_LIMITS).toEqual(scriptArray('CONTAINER_RUN_LIMITS'));
  });

  it('starts an instance afresh in container mode when its image changes, and not in process mode', () => {
    const instance = { files: { url: '/a', sha256: 'a'.repeat(64), size: 1 }, server: { kind: 'mlflow' }, health: { path: '/ping', interval_seconds: 1, timeout_seconds: 1 } } as Instance;
    const built = { ...instance, image: { reference: 'localhost/clf:1', digest } };
    expect(InstanceSupervisor.keyOf(built, 'container')).not.toBe(InstanceSupervisor.keyOf(instance, 'container'));
    expect(InstanceSupervisor.keyOf(built, 'process')).toBe(InstanceSupervisor.keyOf(instance, 'process'));
  });
});

describe('the Modelyard/Image pipeline template', () => {
  it('compiles to one build-image job, started when a version is registered, that fetches the context, builds offline and records the image', async () => {
    const { compileConfig } = await import('../../src/pipelines/config/compile.ts');
    const { bundledTemplate } = await import('../../src/pipelines/templates/catalog.ts');
    const result = compileConfig('stages: [image]\ninclude:\n  - template: Modelyard/Image.gitlab-ci.yml\n', { templates: bundledTemplate });
    expect(result.ok, JSON.stringify(result)).toBe(true);
    const script = bundledTemplate('Modelyard/Image')!;
    expect(script).toContain('/image-context');
    expect(script).toContain('--network none');
    expect(script).toContain('"$version_url/images"');
  });

  it('pushes and archives only when asked, from a docker-archive with Docker manifests, with credentials on no command line, and leaves $MODEL_* out of its variables', async () => {
    const { compileConfig } = await import('../../src/pipelines/config/compile.ts');
    const { bundledTemplate } = await import('../../src/pipelines/templates/catalog.ts');
    const result = compileConfig('stages: [image]\ninclude:\n  - template: Modelyard/Image\n', { templates: bundledTemplate });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    // `modelyard runner` expands a variable from those before it, and the pipeline's MODEL_* come after the YAML's.
    expect(Object.values(result.config.variables).filter((value) => value.includes('$MODEL_'))).toEqual([]);
    expect(result.config.variables).toMatchObject({ IMAGE_PUSH_TLS_VERIFY: 'true', IMAGE_ARCHIVE: 'false' });
    expect(result.config.variables).not.toHaveProperty('IMAGE_PUSH_TO');
    const script = result.config.jobs[0]!.script.join('\n');
    expect(script).toContain('save --quiet --format docker-archive');
    expect(script).toContain('skopeo copy --quiet --format v2s2 --dest-tls-verify="$IMAGE_PUSH_TLS_VERIFY" "${auth[@]}" --digestfile image.digest');
    expect(script).toContain('"docker://$IMAGE_PUSH_TO:$MODEL_VERSION"');
    expect(script).toContain('"oci-archive:image.oci.tar:$tagged"');
    expect(script).toContain('/packages/generic/model-$MODEL_ID-image/$MODEL_VERSION/image.oci.tar?select=package_file');
    // The password is read once, by bash's printf into base64's stdin; nothing traces the script.
    expect(script.match(/IMAGE_REGISTRY_PASSWORD/g)).toHaveLength(1);
    expect(script).toMatch(/printf '%s:%s' "\$IMAGE_REGISTRY_USER" "\$\{IMAGE_REGISTRY_PASSWORD:-\}" \| base64 -w 0/);
    expect(script).not.toMatch(/--dest-creds|--creds|set -x/);
  });
});
