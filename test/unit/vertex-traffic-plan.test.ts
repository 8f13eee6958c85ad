import { describe, expect, it } from 'vitest';
import { prebuiltContainer } from '../../src/targets/vertex/prebuilt-containers.ts';
import { sameSplit, trafficSplitOf, vertexTrafficPlan } from '../../src/targets/vertex/traffic-plan.ts';
import { evenSplit } from '../../src/targets/vertex/vertex-target.ts';

const live = (name: string, versionId: number, weight: number) => ({ name, versionId, role: 'live' as const, weight });

describe("a deployment as Vertex AI's traffic split", () => {
  it('single: one version with all the traffic', () => {
    const plan = vertexTrafficPlan({ id: 1, policy: 'single', variants: [live('stable', 7, 100)] });
    expect(plan.versions).toEqual([7]);
    expect(trafficSplitOf(plan, (v) => `d${v}`)).toEqual({ d7: 100 });
  });

  it('canary: the canary and the stable version share it by their weights', () => {
    const plan = vertexTrafficPlan({ id: 2, policy: 'canary', variants: [live('canary', 8, 10), live('stable', 7, 90)] });
    expect(plan.versions).toEqual([8, 7]);
    expect(trafficSplitOf(plan, (v) => `d${v}`)).toEqual({ d8: 10, d7: 90 });
  });

  it('A/B: variants of the same version add up; a variant at 0 stays deployed without traffic', () => {
    const plan = vertexTrafficPlan({ id: 3, policy: 'ab', variants: [live('a', 7, 30), live('b', 7, 70), live('c', 9, 0)] });
    expect(plan.versions).toEqual([7, 9]);
    expect(trafficSplitOf(plan, (v) => `d${v}`)).toEqual({ d7: 100 });
  });

  it('refuses shadow traffic, which a split cannot mirror', () => {
    expect(() => vertexTrafficPlan({ id: 4, policy: 'shadow', variants: [live('primary', 7, 100), { name: 's', versionId: 8, role: 'shadow', weight: 0 }] })).toThrow(
      /cannot serve this shadow deployment: it has shadow variants/,
    );
  });

  it('compares splits with absent ids as 0', () => {
    expect(sameSplit({ a: 100, b: 0 }, { a: 100 })).toBe(true);
    expect(sameSplit({ a: 90, b: 10 }, { a: 100 })).toBe(false);
  });

  it('splits evenly in whole percents when models are undeployed one by one', () => {
    expect(evenSplit(['1', '2', '3'])).toEqual({ '1': 34, '2': 33, '3': 33 });
    expect(evenSplit([])).toEqual({});
  });
});

describe("Google's prebuilt containers", () => {
  it('serve an MLflow sklearn model, whose pickle is at its root, from the registry near the location', () => {
    expect(prebuiltContainer('europe-west4', ['python_function', 'sklearn'], ['MLmodel', 'model.pkl'])?.imageUri).toBe('europe-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-3:latest');
    expect(prebuiltContainer('us-central1', ['sklearn'], ['model.pkl'])?.imageUri).toMatch(/^us-docker\.pkg\.dev\//);
  });

  it("do not serve MLflow's xgboost layout (model.xgb) or a pyfunc-only model", () => {
    expect(prebuiltContainer('us-central1', ['xgboost'], ['MLmodel', 'model.xgb'])).toBeNull();
    expect(prebuiltContainer('us-central1', ['python_function'], ['MLmodel', 'model.pkl'])).toBeNull();
  });
});
