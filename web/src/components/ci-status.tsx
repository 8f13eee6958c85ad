import { StatusIcon } from './status-icons.tsx';

/** A pipeline's, job's or runner's status as a coloured badge (colours in styles.css, `.ci-*`). */
export function CiStatus({ status, testId }: { status: string; testId?: string }) {
  return (
    <span className={`badge ci-status ci-${status}`} data-testid={testId} data-status={status}>
      <StatusIcon status={status} /> {status.replace('_', ' ')}
    </span>
  );
}
