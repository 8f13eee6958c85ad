import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseAllowList, EMPTY_ALLOW_LIST } from '../../src/outbound/allow-list.ts';
import { OutboundPolicy } from '../../src/outbound/outbound-policy.ts';
import { FIELD_MANAGER, KubernetesClient } from '../../src/targets/kserve/kubernetes-client.ts';
import { inferenceServices, type InferenceService } from '../../src/targets/kserve/inference-service-manifest.ts';
import { startKubernetesStandIn, type KubernetesStandIn } from '../support/kubernetes-stand-in.ts';

const run = promisify(execFile);
const TOKEN = 'stand-in-token-1';
const allowLoopback = new OutboundPolicy(parseAllowList('127.0.0.1/32'));

const manifest = (name: string, storageUri: string, canary?: number): InferenceService =>
  inferenceServices({
    environmentId: 3,
    environmentSlug: name,
    namespace: 'models',
    routing: 'native',
    policy: canary === undefined ? 'single' : 'canary',
    variants:
      canary === undefined
        ? [{ name: 'stable', role: 'live', weight: 100, version: { versionId: 1, modelFormat: 'mlflow', storageUri } }]
        : [
            { name: 'stable', role: 'live', weight: 100 - canary, version: { versionId: 1, modelFormat: 'mlflow', storageUri: 'https://a.example/1.tar.gz' } },
            { name: 'canary', role: 'live', weight: canary, version: { versionId: 2, modelFormat: 'mlflow', storageUri } },
          ],
  })[0]!;

describe('the Kubernetes stand-in, through Modelyard client and kubectl', { timeout: 60_000 }, () => {
  let standIn: KubernetesStandIn;
  let client: KubernetesClient;
  let work: string;

  beforeAll(async () => {
    standIn = await startKubernetesStandIn({ token: TOKEN });
    client = new KubernetesClient({ apiUrl: standIn.url, namespace: 'models', caPem: standIn.caPem, token: TOKEN }, allowLoopback);
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'kubectl-'));
    fs.writeFileSync(path.join(work, 'ca.pem'), standIn.caPem);
    fs.writeFileSync(
      path.join(work, 'kubeconfig'),
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'stand-in', cluster: { server: standIn.url, 'certificate-authority': path.join(work, 'ca.pem') } }],
        users: [{ name: 'modelyard', user: { token: TOKEN } }],
        contexts: [{ name: 'stand-in', context: { cluster: 'stand-in', user: 'modelyard', namespace: 'models' } }],
        'current-context': 'stand-in',
      }),
    );
  });
  afterAll(async () => {
    await standIn.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  const kubectl = async (...args: string[]) => {
    try {
      const { stdout, stderr } = await run('kubectl', ['--kubeconfig', path.join(work, 'kubeconfig'), ...args], { env: { ...process.env, HOME: work, KUBECACHEDIR: path.join(work, 'cache') } });
      return { code: 0, output: stdout + stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, output: failed.stdout + failed.stderr };
    }
  };
  const writeManifest = (m: InferenceService) => {
    const file = path.join(work, `${m.metadata.name}.yaml`);
    fs.writeFileSync(file, stringify(m));
    return file;
  };

  it('server-side apply by the client: one PATCH with the apply content type, field manager and force; status read back', async () => {
    const before = standIn.requests.length;
    const applied = await client.apply(manifest('prod', 'https://a.example/1.tar.gz'));
    expect(applied.metadata.generation).toBe(1);
    const [patch] = standIn.requests.slice(before);
    expect(patch).toMatchObject({
      method: 'PATCH',
      path: '/apis/serving.kserve.io/v1beta1/namespaces/models/inferenceservices/prod',
      contentType: 'application/apply-patch+yaml',
      authorization: `Bearer ${TOKEN}`,
    });
    expect(Object.fromEntries(patch!.query)).toEqual({ fieldManager: FIELD_MANAGER, force: 'true', fieldValidation: 'Strict' });
    expect((await client.get('prod'))!.status!.conditions).toEqual([expect.objectContaining({ type: 'Ready', status: 'False' })]);
    standIn.markReady('models', 'prod');
    const ready = (await client.get('prod'))!;
    expect(ready.status!.url).toBe('http://prod.models.example.com');
    expect(ready.status!.conditions!.find((c) => c.type === 'Ready')!.status).toBe('True');
    // The same manifest again changes nothing (no new generation).
    expect((await client.apply(manifest('prod', 'https://a.example/1.tar.gz'))).metadata.generation).toBe(1);
    expect((await client.apply(manifest('prod', 'https://a.example/2.tar.gz', 10))).metadata.generation).toBe(2);
  });

  it('404, 422 and 401 answers as Status bodies, named in the errors', async () => {
    expect(await client.get('missing')).toBeNull();
    await client.delete('missing');
    await expect(client.apply({ ...manifest('prod', 'x'), metadata: { ...manifest('prod', 'x').metadata, name: '9bad' } })).rejects.toThrow(
      /422 Invalid: InferenceService.serving.kserve.io "9bad" is invalid: metadata.name/,
    );
    const wrongToken = new KubernetesClient({ apiUrl: standIn.url, namespace: 'models', caPem: standIn.caPem, token: 'nope' }, allowLoopback);
    await expect(wrongToken.get('prod')).rejects.toThrow(/answered 401 Unauthorized/);
  });

  it('the outbound policy and the CA hold: a refused address, and a server the CA did not sign', async () => {
    const refused = new KubernetesClient({ apiUrl: standIn.url, namespace: 'models', caPem: standIn.caPem, token: TOKEN }, new OutboundPolicy(EMPTY_ALLOW_LIST));
    await expect(refused.get('prod')).rejects.toThrow(/outbound policy refuses 127.0.0.1/);
    const noCa = new KubernetesClient({ apiUrl: standIn.url, namespace: 'models', caPem: null, token: TOKEN }, allowLoopback);
    await expect(noCa.get('prod')).rejects.toThrow(/Unreachable.*certificate/);
  });

  it('kubectl apply --server-side against the stand-in: created, conflicts with Modelyard fields, taken over with --force-conflicts', async () => {
    const file = writeManifest(manifest('by-kubectl', 'https://a.example/1.tar.gz'));
    const created = await kubectl('apply', '--server-side', '-f', file);
    expect(created).toEqual({ code: 0, output: 'inferenceservice.serving.kserve.io/by-kubectl serverside-applied\n' });
    const patch = standIn.requests.filter((r) => r.method === 'PATCH').at(-1)!;
    expect(patch.contentType).toBe('application/apply-patch+yaml');
    expect(patch.query.get('fieldManager')).toBe('kubectl');
    expect(standIn.get('models', 'by-kubectl')!.spec).toEqual(manifest('by-kubectl', 'https://a.example/1.tar.gz').spec);

    // Modelyard takes the service over (force), then kubectl's next apply of another URI conflicts.
    await client.apply(manifest('by-kubectl', 'https://a.example/2.tar.gz'));
    const conflicting = writeManifest(manifest('by-kubectl', 'https://a.example/3.tar.gz'));
    const conflict = await kubectl('apply', '--server-side', '-f', conflicting);
    expect(conflict.code).not.toBe(0);
    expect(conflict.output).toContain('Apply failed with 1 conflict: conflict with "modelyard": .spec.predictor.model.storageUri');
    const forced = await kubectl('apply', '--server-side', '--force-conflicts', '-f', conflicting);
    expect(forced.code).toBe(0);
    expect((await client.get('by-kubectl'))!.spec!.predictor.model.storageUri).toBe('https://a.example/3.tar.gz');

    // kubectl reads it back through discovery and GET, and deletes it.
    standIn.markReady('models', 'by-kubectl');
    const got = await kubectl('get', 'isvc', 'by-kubectl', '-o', 'jsonpath={.status.url}');
    expect(got).toEqual({ code: 0, output: 'http://by-kubectl.models.example.com' });
    expect((await kubectl('delete', 'inferenceservice', 'by-kubectl')).code).toBe(0);
    expect(await client.get('by-kubectl')).toBeNull();
  });

  it('kubectl with strict field validation: a field the CRD does not declare is refused by the server', async () => {
    const bad = manifest('strict', 'https://a.example/1.tar.gz') as unknown as { spec: { predictor: Record<string, unknown> } };
    bad.spec.predictor.trafficPercent = 10;
    const refused = await kubectl('apply', '--server-side', '-f', writeManifest(bad as unknown as InferenceService));
    expect(refused.code).not.toBe(0);
    expect(refused.output).toContain('spec.predictor.trafficPercent: field not declared in schema');
  });
});
