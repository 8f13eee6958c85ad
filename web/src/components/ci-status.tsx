/** Icons beside the word, so a status reads without relying on its colour alone. */
const ICONS: Record<string, string> = {
  created: '○',
  pending: '◔',
  running: '◑',
  success: '✔',
  failed: '✘',
  canceled: '⊘',
  skipped: '»',
  manual: '⚙',
  online: '●',
  offline: '○',
  never_contacted: '○',
  paused: '⏸',
  blocked: '⏸',
};

/** A pipeline's, job's or runner's status as a coloured badge (colours in styles.css, `.ci-*`). */
export function CiStatus({ status, testId }: { status: string; testId?: string }) {
  return (
    <span className={`badge ci-status ci-${status}`} data-testid={testId} data-status={status}>
      {ICONS[status] ?? '•'} {status.replace('_', ' ')}
    </span>
  );
}

export function statusIcon(status: string): string {
  return ICONS[status] ?? '•';
}
