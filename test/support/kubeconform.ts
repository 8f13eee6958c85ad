import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';

/**
 * kubeconform -strict against KServe's InferenceService schema, kept (converted from KServe's
 * CRD) in `shared/schemas/kserve` beside the clone, or one folder above it for a worktree.
 * The binary is the pinned one scripts/go-tools.sh builds (scripts/test-all.sh builds it first).
 */
export function kserveSchemasDir(): string {
  const override = process.env.MODELYARD_KSERVE_SCHEMAS;
  if (override) return override;
  for (let dir = path.resolve('..'); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'shared', 'schemas', 'kserve');
    if (fs.existsSync(path.join(candidate, 'inferenceservice_v1beta1.json'))) return candidate;
    if (path.dirname(dir) === dir) throw new Error('KServe schemas not found: ../shared/schemas/kserve/ (or MODELYARD_KSERVE_SCHEMAS) must hold inferenceservice_v1beta1.json');
  }
}

let binary: string | undefined;
function kubeconform(): string {
  binary ??= process.env.MODELYARD_KUBECONFORM ?? execFileSync('bash', ['scripts/go-tools.sh', 'kubeconform'], { encoding: 'utf8' }).trim();
  return binary;
}

/** Validates the manifests as one multi-document YAML file; `valid` is kubeconform's exit status 0. */
export function kubeconformStrict(manifests: readonly object[]): { valid: boolean; output: string; yaml: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeconform-'));
  try {
    const yaml = manifests.map((m) => stringify(m)).join('---\n');
    const file = path.join(dir, 'manifests.yaml');
    fs.writeFileSync(file, yaml);
    const location = path.join(kserveSchemasDir(), '{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json');
    const run = spawnSync(kubeconform(), ['-strict', '-summary', '-schema-location', location, file], { encoding: 'utf8' });
    return { valid: run.status === 0, output: `${run.stdout}${run.stderr}`, yaml };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
