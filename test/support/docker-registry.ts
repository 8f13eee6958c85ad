import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './process.ts';

/**
 * Debian's docker-registry (the CNCF Distribution registry, 2.8; scripts/docker-registry.sh
 * installs it and prints its path) on a free loopback port, plain HTTP, with htpasswd auth:
 * one user whose password is stored as bcrypt (`htpasswd -B`, from apache2-utils), and its
 * blobs and manifests in a folder of `dir`.
 */
export interface DockerRegistry {
  /** `127.0.0.1:<port>`, as image references name it. */
  host: string;
  output(): string;
  close(): Promise<void>;
}

export async function startDockerRegistry(dir: string, user: string, password: string): Promise<DockerRegistry> {
  const binary = execFileSync('bash', ['scripts/docker-registry.sh'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
    .trim()
    .split('\n')
    .at(-1)!;
  fs.mkdirSync(dir, { recursive: true });
  // The password goes in on stdin (-i), not on htpasswd's command line.
  fs.writeFileSync(path.join(dir, 'htpasswd'), execFileSync('htpasswd', ['-B', '-i', '-n', user], { input: password, encoding: 'utf8' }));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  fs.writeFileSync(
    path.join(dir, 'config.yml'),
    [
      'version: 0.1',
      'log:',
      '  level: warn',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${path.join(dir, 'data')}`,
      'http:',
      `  addr: ${host}`,
      'auth:',
      '  htpasswd:',
      '    realm: modelyard-test',
      `    path: ${path.join(dir, 'htpasswd')}`,
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(binary, ['serve', path.join(dir, 'config.yml')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  // Ready when the API root asks for credentials: 401 with Basic.
  for (let tried = 0; ; tried++) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited (${child.exitCode}): ${out}`);
    const status = await fetch(`http://${host}/v2/`).then(
      (res) => res.status,
      () => 0,
    );
    if (status === 401) break;
    if (tried > 300) throw new Error(`docker-registry did not answer on ${host} (last status ${status}): ${out}`);
    await sleep(100);
  }
  return {
    host,
    output: () => out,
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
