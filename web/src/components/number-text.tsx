import { formatNumber } from '../api.ts';

/** A number as people read it (a few significant digits), with the exact value on hover. */
export function NumberText({ value }: { value: number | string | null | undefined }) {
  if (value === null || value === undefined) return null;
  return <span title={String(value)}>{formatNumber(value)}</span>;
}
