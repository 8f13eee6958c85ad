import type { CanaryPolicy, DeployBody, Policy, PolicyInput, VariantInput } from './contract.ts';
import { DeploymentErrors } from './errors.ts';

/**
 * What a deploy request may ask for, checked before anything is looked up: the policy is
 * completed with its defaults, and the variants it implies are laid out with their names,
 * roles and weights. Pure functions, so every rule has a unit test.
 */

export const CANARY_DEFAULTS = {
  steps: [10, 50, 100],
  pause_seconds: 60,
  window_seconds: 60,
  gates: { max_error_rate: 0.05, min_requests: 100 },
} as const;
export const AB_DEFAULTS = { subject_header: 'X-Subject', reward: 'binary' } as const;
export const MAX_VARIANTS = 10;

const refuse = (detail: string) => DeploymentErrors.INVALID_POLICY({ detail });

export function completePolicy(input: PolicyInput | undefined): Policy {
  if (input === undefined || input.kind === 'single') return { kind: 'single' };
  if (input.kind === 'ab') return { kind: 'ab', subject_header: input.subject_header ?? AB_DEFAULTS.subject_header, reward: input.reward ?? AB_DEFAULTS.reward };
  const steps = input.steps ?? [...CANARY_DEFAULTS.steps];
  for (let i = 1; i < steps.length; i++) {
    if (steps[i]! <= steps[i - 1]!) throw refuse(`canary steps must rise: ${steps.join(', ')} does not`);
  }
  if (steps[steps.length - 1] !== 100) throw refuse(`the last canary step must be 100 (the canary takes all traffic before it is promoted), not ${steps[steps.length - 1]}`);
  const gates = { ...CANARY_DEFAULTS.gates, ...input.gates };
  const policy: CanaryPolicy = {
    kind: 'canary',
    steps,
    step: 0,
    pause_seconds: input.pause_seconds ?? CANARY_DEFAULTS.pause_seconds,
    gates,
    window_seconds: input.window_seconds ?? CANARY_DEFAULTS.window_seconds,
  };
  return policy;
}

/** A variant as the request lays it out, before its version is looked up. */
export interface VariantPlan {
  name: string;
  model: string;
  version: string | number;
  weight: number;
  role: 'live' | 'shadow';
  shadow_share: number;
}

/** What a canary starts from: the single live variant the environment runs now. */
export interface StableVariant {
  model: string;
  versionId: number;
  version: number;
}

/**
 * The variants a request implies: `single` ships `model`/`version` (or its one live variant),
 * `canary` ships `version` beside the environment's stable version at the first step's share,
 * `ab` ships the listed live variants; any policy may add shadow variants.
 */
export function planVariants(body: Pick<DeployBody, 'model' | 'version' | 'variants'>, policy: Policy, stable: StableVariant | null, currentPolicy: Policy['kind'] | null): VariantPlan[] {
  const listed = body.variants ?? [];
  if (listed.length > MAX_VARIANTS) throw refuse(`a deployment has at most ${MAX_VARIANTS} variants`);
  const shadows = listed.filter((v) => v.role === 'shadow');
  const listedLive = listed.filter((v) => v.role !== 'shadow');
  let live: VariantPlan[];
  if (policy.kind === 'single') live = [singleLive(body, listedLive)];
  else if (policy.kind === 'canary') live = canaryLive(body, listedLive, policy, stable, currentPolicy);
  else live = abLive(body, listedLive);
  const all = [...live, ...shadows.map((v, i) => shadowPlan(v, i, body.model))];
  const names = new Set<string>();
  for (const v of all) {
    if (names.has(v.name)) throw refuse(`two variants are named ${v.name}`);
    names.add(v.name);
  }
  const sum = live.reduce((total, v) => total + v.weight, 0);
  if (sum !== 100) throw refuse(`the weights of the live variants sum to ${sum}, not 100`);
  return all;
}

function modelOf(variant: VariantInput, fallback: string | undefined, name: string): string {
  const model = variant.model ?? fallback;
  if (!model) throw refuse(`variant ${name} names no model: give its model, or the deployment's`);
  return model;
}

function singleLive(body: Pick<DeployBody, 'model' | 'version'>, listedLive: VariantInput[]): VariantPlan {
  if (body.version !== undefined) {
    if (listedLive.length > 0) throw refuse('a single deployment ships one version: give `version`, or one live variant, not both');
    if (!body.model) throw refuse('model is missing: name the registered model whose version to deploy');
    return { name: 'stable', model: body.model, version: body.version, weight: 100, role: 'live', shadow_share: 0 };
  }
  if (listedLive.length !== 1) throw refuse(`a single deployment ships exactly one live version, not ${listedLive.length}: give \`model\` and \`version\``);
  const only = listedLive[0]!;
  const name = only.name ?? 'stable';
  return { name, model: modelOf(only, body.model, name), version: only.version, weight: only.weight ?? 100, role: 'live', shadow_share: 0 };
}

function canaryLive(body: Pick<DeployBody, 'model' | 'version'>, listedLive: VariantInput[], policy: CanaryPolicy, stable: StableVariant | null, currentPolicy: Policy['kind'] | null): VariantPlan[] {
  if (listedLive.length > 0) throw refuse('a canary is made of the stable version the environment runs and the `version` given; list only shadow variants');
  if (body.version === undefined) throw refuse('version is missing: a canary deploys a new version beside the stable one');
  if (currentPolicy === 'canary') throw refuse('the environment runs a canary already: promote it or roll it back first');
  if (stable === null) throw refuse('a canary starts from a single deployment: deploy a first version with the single policy');
  const model = body.model ?? stable.model;
  if (model === stable.model && String(body.version) === String(stable.version)) throw refuse(`version ${stable.version} is the stable version already`);
  const share = policy.steps[0]!;
  // The canary comes first: sticky buckets [0, share) are its, so raising its share moves stable subjects only.
  return [
    { name: 'canary', model, version: body.version, weight: share, role: 'live', shadow_share: 0 },
    { name: 'stable', model: stable.model, version: stable.version, weight: 100 - share, role: 'live', shadow_share: 0 },
  ];
}

function abLive(body: Pick<DeployBody, 'model' | 'version'>, listedLive: VariantInput[]): VariantPlan[] {
  if (body.version !== undefined) throw refuse('an A/B deployment lists its versions in `variants`, each with its weight');
  if (listedLive.length < 2) throw refuse(`an A/B deployment needs at least two live variants, not ${listedLive.length}`);
  const weighted = listedLive.filter((v) => v.weight !== undefined).length;
  if (weighted !== 0 && weighted !== listedLive.length) throw refuse('give every live variant its weight, or none (for an even split)');
  const even = Math.floor(100 / listedLive.length);
  const extra = 100 - even * listedLive.length;
  return listedLive.map((v, i) => {
    const name = v.name ?? String.fromCharCode(97 + i);
    return { name, model: modelOf(v, body.model, name), version: v.version, weight: v.weight ?? even + (i < extra ? 1 : 0), role: 'live', shadow_share: 0 };
  });
}

function shadowPlan(v: VariantInput, index: number, model: string | undefined): VariantPlan {
  const name = v.name ?? (index === 0 ? 'shadow' : `shadow-${index + 1}`);
  if (v.weight !== undefined && v.weight !== 0) throw refuse(`shadow variant ${name} takes no live traffic: its weight must be 0 (give shadow_share instead)`);
  if (v.shadow_share === undefined) throw refuse(`shadow variant ${name} needs shadow_share: the percent of requests mirrored to it`);
  return { name, model: modelOf(v, model, name), version: v.version, weight: 0, role: 'shadow', shadow_share: v.shadow_share };
}

/** A canary at another step: the same variants, the canary's share moved. */
export function atCanaryStep<V extends { name: string; weight: number }>(variants: V[], policy: CanaryPolicy, step: number): { policy: CanaryPolicy; variants: V[] } {
  const share = policy.steps[step]!;
  return {
    policy: { ...policy, step },
    variants: variants.map((v) => (v.name === 'canary' ? { ...v, weight: share } : v.name === 'stable' ? { ...v, weight: 100 - share } : v)),
  };
}
