import { createHash, randomInt } from 'node:crypto';

/** Buckets a subject can fall in: a weight of w percent owns w × 100 of them. */
export const BUCKETS = 10_000;

/**
 * A subject's bucket in a deployment series: the first four bytes of SHA-256(subject, lineage)
 * modulo 10 000. Every replica computes the same bucket, and the bucket does not depend on the
 * weights, so raising a canary's share only moves subjects from stable to the canary.
 */
export function bucketOf(subject: string, lineage: number): number {
  return createHash('sha256').update(`${subject}\n${lineage}`, 'utf8').digest().readUInt32BE(0) % BUCKETS;
}

/** A request without a subject lands anywhere. */
export function randomBucket(): number {
  return randomInt(BUCKETS);
}

/**
 * The live variant that owns a bucket: variants take consecutive ranges in their order (the
 * canary first, then stable; A/B variants as listed). Variants of weight 0 own nothing.
 */
export function variantForBucket<V extends { weight: number }>(variants: readonly V[], bucket: number): V | undefined {
  let upper = 0;
  for (const variant of variants) {
    upper += variant.weight * (BUCKETS / 100);
    if (bucket < upper) return variant;
  }
  return undefined;
}
