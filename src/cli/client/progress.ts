/** A transfer's progress as it goes. */
export interface Progress {
  advance(bytes: number): void;
  done(): void;
}

const NO_PROGRESS: Progress = { advance: () => undefined, done: () => undefined };

function size(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/**
 * A one-line bar on standard error, redrawn at most ten times a second and erased when done.
 * Only on a terminal: a log file or a pipe gets nothing (no carriage returns in CI logs).
 */
export function progressBar(label: string, total: number | undefined, stream: NodeJS.WriteStream = process.stderr, start = 0): Progress {
  if (!stream.isTTY) return NO_PROGRESS;
  let current = start;
  let drawnAt = 0;
  const draw = () => {
    const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - label.length - 40));
    const share = total ? Math.min(1, current / total) : 0;
    const bar = total ? `[${'#'.repeat(Math.round(share * width)).padEnd(width, '.')}] ${Math.floor(share * 100)}%` : '';
    stream.write(`\r\x1b[K${label} ${bar} ${size(current)}${total ? ` / ${size(total)}` : ''}`);
  };
  return {
    advance(bytes) {
      current += bytes;
      if (Date.now() - drawnAt >= 100) {
        drawnAt = Date.now();
        draw();
      }
    },
    done() {
      stream.write('\r\x1b[K');
    },
  };
}
