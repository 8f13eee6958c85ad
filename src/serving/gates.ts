import type { CanaryPolicy } from '../deployments/contract.ts';
import { percentile } from './latency.ts';

/** What the gates look at for one variant over the window. */
export interface VariantWindow {
  requests: number;
  errors: number;
  buckets: number[];
}

export type GateVerdict = { verdict: 'wait' | 'pass' | 'fail'; why: string };

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const rate = (w: VariantWindow) => (w.requests === 0 ? 0 : w.errors / w.requests);

/**
 * A canary step's verdict. A failing gate fails at once (as soon as the canary has its minimum
 * of requests), pause or not, so a broken canary is rolled back within its window; passing
 * needs the pause to be over. Gates that compare with stable need stable's minimum too, except
 * at a step where stable takes no traffic, where only the canary's own gates apply.
 */
export function decideGates(policy: CanaryPolicy, canary: VariantWindow, stable: VariantWindow, elapsedMs: number): GateVerdict {
  const gates = policy.gates;
  const min = gates.min_requests;
  if (canary.requests < min) return { verdict: 'wait', why: `the canary has ${canary.requests} of ${min} requests` };
  const canaryRate = rate(canary);
  if (gates.max_error_rate !== undefined && canaryRate > gates.max_error_rate) {
    return { verdict: 'fail', why: `error rate ${pct(canaryRate)} > ${pct(gates.max_error_rate)} (${canary.errors} of ${canary.requests} requests failed)` };
  }
  const stableTakesTraffic = policy.steps[policy.step]! < 100;
  const comparing = stableTakesTraffic && (gates.max_error_rate_increase !== undefined || gates.max_p95_latency_ratio !== undefined);
  if (comparing && stable.requests < min) return { verdict: 'wait', why: `stable has ${stable.requests} of ${min} requests to compare with` };
  const findings = [`error rate ${pct(canaryRate)}`];
  if (comparing && gates.max_error_rate_increase !== undefined) {
    const increase = canaryRate - rate(stable);
    if (increase > gates.max_error_rate_increase) {
      return { verdict: 'fail', why: `error rate ${pct(canaryRate)} is ${pct(increase)} above stable's ${pct(rate(stable))} (at most ${pct(gates.max_error_rate_increase)} allowed)` };
    }
  }
  const canaryP95 = percentile(canary.buckets, 0.95) ?? 0;
  findings.push(`p95 ${canaryP95.toFixed(1)} ms`);
  if (comparing && gates.max_p95_latency_ratio !== undefined) {
    const stableP95 = percentile(stable.buckets, 0.95) ?? 0;
    const ratio = stableP95 > 0 ? canaryP95 / stableP95 : canaryP95 > 0 ? Infinity : 1;
    if (ratio > gates.max_p95_latency_ratio) {
      return { verdict: 'fail', why: `p95 latency ${canaryP95.toFixed(1)} ms is ${ratio.toFixed(2)}× stable's ${stableP95.toFixed(1)} ms (at most ${gates.max_p95_latency_ratio}× allowed)` };
    }
  }
  if (elapsedMs < policy.pause_seconds * 1000) return { verdict: 'wait', why: `pausing: ${Math.floor(elapsedMs / 1000)} of ${policy.pause_seconds} s` };
  return { verdict: 'pass', why: `gates passed at ${policy.steps[policy.step]}% (${findings.join(', ')} over ${canary.requests} requests)` };
}
