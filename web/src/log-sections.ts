import type { LogEvent, LogSpan } from './ansi.ts';

/** Styled text as received: shown once, never re-rendered. */
export interface LogChunk {
  kind: 'chunk';
  id: number;
  spans: LogSpan[];
}

/** A GitLab section of a job's log (`prepare_executor`, `step_script`, or one a script opened), with what it holds. */
export interface LogSection {
  kind: 'section';
  id: number;
  name: string;
  /** Unix seconds, from the markers. */
  start: number;
  end: number | null;
  collapsed: boolean;
  children: LogNode[];
}

export type LogNode = LogChunk | LogSection;

/**
 * A job's log as nested sections, built as the log arrives: text goes into the innermost open
 * section, an end marker closes the section it names (and any left open inside it; an end for a
 * section that is not open is ignored, as GitLab does), so a section split over two reads of a
 * running job's log stays one section.
 */
export class LogTree {
  readonly root: LogNode[] = [];
  private readonly open: LogSection[] = [];
  private nextId = 0;

  add(events: LogEvent[]): void {
    for (const event of events) {
      const here = this.open.at(-1)?.children ?? this.root;
      if (event.kind === 'text') here.push({ kind: 'chunk', id: this.nextId++, spans: event.spans });
      else if (event.kind === 'start') {
        const section: LogSection = { kind: 'section', id: this.nextId++, name: event.name, start: event.time, end: null, collapsed: event.collapsed, children: [] };
        here.push(section);
        this.open.push(section);
      } else {
        const at = this.open.findLastIndex((s) => s.name === event.name);
        if (at < 0) continue;
        for (const closed of this.open.splice(at)) closed.end ??= event.time;
      }
    }
  }
}

/** A section's length as GitLab shows it beside the header: `00:42`, `1:02:05`. */
export function sectionDuration(section: Pick<LogSection, 'start' | 'end'>): string | null {
  if (section.end === null || section.end < section.start) return null;
  const total = section.end - section.start;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${two(m)}:${two(s)}`;
}
