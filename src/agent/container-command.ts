import type { Instance } from '../agent-protocol/protocol.ts';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { PRIVATE_VARIABLES, type ServerCommand } from './server-command.ts';

/** How the agent runs model servers: as a process from its Python, or as the version's image with podman. */
export type ServeMode = 'process' | 'container';
export const SERVE_MODES: readonly ServeMode[] = ['process', 'container'];

/**
 * Podman's global options that work on hosts without systemd, where crun and overlay mounts
 * fail (the same as scripts/podman-options.sh, which builds the images; a unit test holds the
 * two together), and the `run` limits runc needs given explicitly there.
 */
export const PODMAN_OPTIONS = ['--storage-driver=vfs', '--cgroup-manager=cgroupfs', '--runtime=runc', '--events-backend=file'];
export const PODMAN_RUN_LIMITS = ['--ulimit', 'nofile=16384:16384', '--ulimit', 'nproc=4096:4096'];
/** Where a version image's server listens inside it (the image context's `-p 8080`). */
export const IMAGE_PORT = 8080;

/** The container's name: one per instance, so a container a killed agent left behind is replaced. */
export const containerName = (instanceId: string) => `modelyard-${instanceId}`;

/**
 * `podman run` of the version's recorded image, in the foreground (the agent supervises the
 * podman process as it supervises a model server; SIGTERM to it stops the container), its
 * port published on the agent's listen address only (loopback unless --listen-address). The image is named by reference and digest, so
 * a tag moved to another build is not run; it is never pulled (`--pull never`): the build
 * recorded it in this host's storage, or an operator pulled it.
 */
export function containerCommand(image: NonNullable<Instance['image']>, options: { instanceId: string; host: string; port: number; baseEnv: NodeJS.ProcessEnv; podman?: string }): ServerCommand {
  const reference = image.reference.replace(/@sha256:[0-9a-f]{64}$/, '');
  const env: NodeJS.ProcessEnv = { ...options.baseEnv };
  for (const name of PRIVATE_VARIABLES) delete env[name];
  return {
    program: options.podman ?? 'podman',
    args: [
      ...PODMAN_OPTIONS,
      'run',
      '--rm',
      '--replace',
      // An init as PID 1 passes SIGTERM on: MLflow's CLI as PID 1 would ignore it.
      '--init',
      '--pull',
      'never',
      '--name',
      containerName(options.instanceId),
      ...PODMAN_RUN_LIMITS,
      '--publish',
      `${options.host.includes(':') ? `[${options.host}]` : options.host}:${options.port}:${IMAGE_PORT}`,
      `${reference}@${image.digest}`,
    ],
    env,
  };
}

/**
 * Removes an instance's container once its podman process is gone: a podman killed after the
 * grace period (or with the agent) leaves its container running, and the next start replaces
 * it only if the instance is started again.
 */
export async function removeContainer(instanceId: string, podman = 'podman'): Promise<void> {
  try {
    await promisify(execFile)(podman, [...PODMAN_OPTIONS, 'rm', '--force', '--ignore', '--time', '0', containerName(instanceId)]);
  } catch {
    // No podman, or nothing to remove: the container is gone either way or was never made.
  }
}
