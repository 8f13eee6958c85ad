/**
 * The statistics of an A/B test's results: for each variant its mean reward with a 95%
 * interval, and the probability that it is the best. Binary rewards (0/1) get Beta posteriors
 * (a uniform prior: Beta(1 + successes, 1 + failures)); other rewards a normal approximation of
 * the mean, N(mean, variance / n). P(best) is estimated by drawing from every variant's
 * posterior together, DRAWS times, with a seeded generator: the same data always gives the same
 * answer.
 */
export const DRAWS = 20_000;
const SEED = 0x5eed_1234;

export interface RewardSummary {
  n: number;
  successes: number;
  sum: number;
  sumSquares: number;
}

export interface RewardEstimate {
  mean: number | null;
  low: number | null;
  high: number | null;
  probabilityBest: number | null;
}

/** Mulberry32: small, fast, and good enough for Monte Carlo estimates. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function standardNormal(random: () => number): number {
  // Box-Muller; 1 - u keeps the logarithm finite.
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Marsaglia and Tsang's method; shapes below 1 are boosted by U^(1/shape). */
export function gammaSample(shape: number, random: () => number): number {
  if (shape < 1) return gammaSample(shape + 1, random) * Math.pow(random(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = standardNormal(random);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = random();
    if (u < 1 - 0.0331 * x ** 4) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

export function betaSample(a: number, b: number, random: () => number): number {
  const x = gammaSample(a, random);
  const y = gammaSample(b, random);
  return x / (x + y);
}

/** The posterior of a variant's mean reward, as a sampler, or null when nothing was reported. */
function posterior(summary: RewardSummary, reward: 'binary' | 'continuous'): ((random: () => number) => number) | null {
  if (summary.n === 0) return null;
  if (reward === 'binary') {
    const a = 1 + summary.successes;
    const b = 1 + summary.n - summary.successes;
    return (random) => betaSample(a, b, random);
  }
  const mean = summary.sum / summary.n;
  const sd = Math.sqrt(sampleVariance(summary) / summary.n);
  return (random) => mean + sd * standardNormal(random);
}

function sampleVariance(summary: RewardSummary): number {
  if (summary.n < 2) return 0;
  const mean = summary.sum / summary.n;
  return Math.max(0, (summary.sumSquares - summary.n * mean * mean) / (summary.n - 1));
}

function quantile(sorted: Float64Array, q: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))));
  return sorted[index]!;
}

/**
 * Every variant's estimate. A variant without feedback has no estimate and takes no part in
 * "best" (the others share the probability).
 */
export function estimateRewards(summaries: readonly RewardSummary[], reward: 'binary' | 'continuous', draws = DRAWS): RewardEstimate[] {
  const samplers = summaries.map((s) => posterior(s, reward));
  const random = seededRandom(SEED);
  const wins = summaries.map(() => 0);
  const samples = summaries.map((_, i) => (samplers[i] ? new Float64Array(draws) : null));
  const active = samplers.filter((s) => s !== null).length;
  for (let d = 0; d < draws && active > 0; d++) {
    let best = -1;
    let bestValue = -Infinity;
    samplers.forEach((sample, i) => {
      if (!sample) return;
      const value = sample(random);
      samples[i]![d] = value;
      if (value > bestValue) {
        bestValue = value;
        best = i;
      }
    });
    wins[best]! += 1;
  }
  return summaries.map((summary, i) => {
    if (summary.n === 0) return { mean: null, low: null, high: null, probabilityBest: null };
    const mean = reward === 'binary' ? summary.successes / summary.n : summary.sum / summary.n;
    let low: number;
    let high: number;
    if (reward === 'binary') {
      // The Beta posterior's central 95% (credible interval), from the same draws.
      const sorted = samples[i]!.sort();
      low = quantile(sorted, 0.025);
      high = quantile(sorted, 0.975);
    } else {
      const half = 1.96 * Math.sqrt(sampleVariance(summary) / summary.n);
      low = mean - half;
      high = mean + half;
    }
    return { mean, low, high, probabilityBest: wins[i]! / draws };
  });
}
