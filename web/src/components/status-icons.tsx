import type { ReactNode } from 'react';

/**
 * Status marks drawn as SVG, bundled with the app. The characters they replace (✔ ✘ ⚙ ⏸ ◔ ⊘)
 * come from a system font, and a browser without one (many Linux desktops, most servers) drew
 * empty boxes. Hidden from assistive technology: the status is always written beside its mark.
 */
const SHAPES: Record<string, ReactNode> = {
  empty: <circle cx="8" cy="8" r="6" fill="none" />,
  quarter: (
    <>
      <circle cx="8" cy="8" r="6" fill="none" />
      <path d="M8 8V2a6 6 0 0 1 6 6z" fill="currentColor" stroke="none" />
    </>
  ),
  half: (
    <>
      <circle cx="8" cy="8" r="6" fill="none" />
      <path d="M8 2a6 6 0 0 1 0 12z" fill="currentColor" stroke="none" />
    </>
  ),
  full: <circle cx="8" cy="8" r="6" fill="currentColor" />,
  check: <path d="M3 8.5l3.2 3.2L13 4.5" fill="none" strokeWidth="2" />,
  cross: <path d="M4 4l8 8M12 4l-8 8" fill="none" strokeWidth="2" />,
  slash: (
    <>
      <circle cx="8" cy="8" r="6" fill="none" />
      <path d="M3.8 12.2l8.4-8.4" fill="none" />
    </>
  ),
  skip: <path d="M3 4l4 4-4 4M9 4l4 4-4 4" fill="none" strokeWidth="1.6" />,
  gear: (
    <>
      <circle cx="8" cy="8" r="2.2" fill="none" />
      <path d="M8 1.5v2.3M8 12.2v2.3M1.5 8h2.3M12.2 8h2.3M3.4 3.4l1.6 1.6M11 11l1.6 1.6M3.4 12.6L5 11M11 5l1.6-1.6" fill="none" strokeWidth="1.6" />
    </>
  ),
  pause: <path d="M5.5 3.5v9M10.5 3.5v9" fill="none" strokeWidth="2.2" />,
  dot: <circle cx="8" cy="8" r="2.5" fill="currentColor" />,
  play: <path d="M5 3l8 5-8 5z" fill="currentColor" stroke="none" />,
};

const SHAPE_OF_STATUS: Record<string, keyof typeof SHAPES> = {
  created: 'empty',
  pending: 'quarter',
  running: 'half',
  success: 'check',
  passed: 'check',
  approved: 'check',
  failed: 'cross',
  rejected: 'cross',
  canceled: 'slash',
  skipped: 'skip',
  manual: 'gear',
  online: 'full',
  offline: 'empty',
  never_contacted: 'empty',
  paused: 'pause',
  blocked: 'pause',
  play: 'play',
};

/** The mark of a status (a pipeline's, a job's, a runner's, a verdict's); a dot for one it does not know. */
export function StatusIcon({ status }: { status: string }) {
  return (
    <svg
      className="status-icon"
      width="12"
      height="12"
      viewBox="0 0 16 16"
      stroke="currentColor"
      strokeWidth="1.4"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
      data-icon={SHAPE_OF_STATUS[status] ?? 'dot'}
    >
      {SHAPES[SHAPE_OF_STATUS[status] ?? 'dot']}
    </svg>
  );
}
