import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/shared/errors.ts';
import { checkCanaryTrafficPercent, inferenceServices, modelFormatOf, type ManifestInput, type ServedVersion } from '../../src/targets/kserve/inference-service-manifest.ts';
import { kubeconformStrict } from '../support/kubeconform.ts';

const v1: ServedVersion = { versionId: 11, modelFormat: 'mlflow', storageUri: 'https://modelyard.example/api/v4/projects/1/ml/models/2/versions/1/archive.tar.gz?expires=1&signature=a' };
const v2: ServedVersion = { versionId: 12, modelFormat: 'mlflow', storageUri: 'https://modelyard.example/api/v4/projects/1/ml/models/2/versions/2/archive.tar.gz?expires=1&signature=b' };
const base = { environmentId: 5, environmentSlug: 'production', namespace: 'models', routing: 'native' as const };
const single = (version: ServedVersion): ManifestInput => ({ ...base, policy: 'single', variants: [{ name: 'stable', role: 'live', weight: 100, version }] });
const canaryAt = (percent: number): ManifestInput => ({
  ...base,
  policy: 'canary',
  variants: [
    { name: 'stable', role: 'live', weight: 100 - percent, version: v1 },
    { name: 'canary', role: 'live', weight: percent, version: v2 },
  ],
});

// kubeconform takes a second or more to start on a busy machine.
describe('InferenceService manifests', { timeout: 30_000 }, () => {
  it('a canary sequence and its rollback: every manifest passes kubeconform -strict, the rollback restores the previous spec', () => {
    const sequence = [single(v1), canaryAt(10), canaryAt(50), single(v2), single(v1)].map((input) => inferenceServices(input));
    // One kubeconform run for the five (it loads the schema once): each is one document.
    const check = kubeconformStrict(sequence.flat());
    expect(sequence.every((m) => m.length === 1)).toBe(true);
    expect(check.output).toContain('Valid: 5, Invalid: 0, Errors: 0');
    expect(check.valid, check.output).toBe(true);
    const [first, ten, fifty, promoted, rolledBack] = sequence.map((m) => m[0]!);
    expect(first!.spec.predictor).toEqual({ model: { modelFormat: { name: 'mlflow' }, storageUri: v1.storageUri, protocolVersion: 'v2' } });
    expect(ten!.spec.predictor.canaryTrafficPercent).toBe(10);
    expect(ten!.spec.predictor.model.storageUri).toBe(v2.storageUri);
    expect(ten!.metadata.annotations).toEqual({ 'modelyard.io/version-id': '12', 'modelyard.io/stable-version-id': '11' });
    expect(fifty!.spec.predictor.canaryTrafficPercent).toBe(50);
    expect(promoted!.spec.predictor.canaryTrafficPercent).toBeUndefined();
    expect(promoted!.spec.predictor.model.storageUri).toBe(v2.storageUri);
    expect(rolledBack).toEqual(first);
    expect(new Set(sequence.map((m) => m[0]!.metadata.name))).toEqual(new Set(['production']));
  });

  it('the schema check can fail: a field KServe does not have is refused', () => {
    const [manifest] = inferenceServices(single(v1));
    const check = kubeconformStrict([{ ...manifest, spec: { predictor: { ...manifest!.spec.predictor, trafficPercent: 5 } } }]);
    expect(check.valid).toBe(false);
    expect(check.output).toMatch(/additional properties 'trafficPercent' not allowed|trafficPercent/);
  });

  it('checks the range of canaryTrafficPercent itself (the CRD takes any integer)', () => {
    for (const bad of [-1, 101, 12.5]) expect(() => checkCanaryTrafficPercent(bad)).toThrow(AppError);
    expect(() => inferenceServices(canaryAt(101))).toThrow(/canaryTrafficPercent must be an integer from 0 to 100, not 101/);
    for (const good of [0, 1, 100]) expect(checkCanaryTrafficPercent(good)).toBe(good);
    expect(kubeconformStrict(inferenceServices(canaryAt(0))).valid).toBe(true);
  });

  it('gateway routing, A/B and shadow: one InferenceService per version, none with a canary share', () => {
    const manifests = inferenceServices({ ...canaryAt(30), routing: 'gateway' });
    expect(manifests.map((m) => m.metadata.name)).toEqual(['production-v11', 'production-v12']);
    expect(manifests.every((m) => m.spec.predictor.canaryTrafficPercent === undefined)).toBe(true);
    const ab = inferenceServices({ ...canaryAt(30), policy: 'ab', variants: canaryAt(30).variants.map((v, i) => ({ ...v, name: `v${i}` })) });
    expect(ab).toHaveLength(2);
    expect(kubeconformStrict([...manifests, ...ab]).valid).toBe(true);
  });

  it('S3 storage names the service account that carries the S3 Secret', () => {
    const s3 = { ...v1, storageUri: 's3://models/2/1' };
    const [manifest] = inferenceServices({ ...single(s3), serviceAccountName: 'modelyard-s3' });
    expect(manifest!.spec.predictor.serviceAccountName).toBe('modelyard-s3');
    expect(kubeconformStrict([manifest!]).valid).toBe(true);
    expect(inferenceServices({ ...single(v1), serviceAccountName: 'modelyard-s3' })[0]!.spec.predictor.serviceAccountName).toBeUndefined();
  });

  it('modelFormat from the MLflow flavors', () => {
    expect(modelFormatOf(['python_function', 'sklearn'])).toBe('mlflow');
    expect(modelFormatOf(['onnx'])).toBe('onnx');
    expect(() => modelFormatOf(['spark'])).toThrow(/no runtime/);
  });

  it('names are Kubernetes names', () => {
    const [manifest] = inferenceServices({ ...single(v1), environmentSlug: '9-Review/Feature_X' });
    expect(manifest!.metadata.name).toBe('review-feature-x');
  });
});
