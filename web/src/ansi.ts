/**
 * Job logs carry ANSI escape codes (the runner prints commands in bold green). This turns a log
 * into styled runs of plain text; the page renders them as text nodes, so nothing in a log is
 * ever parsed as HTML. Only bold and the 16 foreground colours are kept; other codes are dropped.
 */
export interface LogSpan {
  text: string;
  bold: boolean;
  colour: string | null;
}

/** What a piece of log holds: styled text, or a GitLab section opening or closing (time in Unix seconds). */
export type LogEvent = { kind: 'text'; spans: LogSpan[] } | { kind: 'start'; name: string; time: number; collapsed: boolean } | { kind: 'end'; name: string; time: number };

const COLOURS = ['black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white'];
// GitLab's collapsible section markers, as the runner writes them:
// `section_start:<unix time>:<name>[collapsed=true]\r\e[0K` and `section_end:<unix time>:<name>\r\e[0K`.
const SECTION = /section_(start|end):(\d+):([^\r\n\x1b[]*)(?:\[([^\]\r\n]*)\])?\r?(?:\x1b\[0K)?/g;
// A marker cut at the end of a chunk (the runner starts each one on a line of its own, after
// `\e[0K`): its beginning is kept for the next chunk rather than shown as text.
const CUT_MARKER = /^(?:section_(?:s(?:t(?:a(?:r(?:t)?)?)?)?|e(?:n(?:d)?)?)?(?::\d*(?::[^\r\n\x1b]*)?)?\r?(?:\x1b(?:\[0?)?)?|s(?:e(?:c(?:t(?:i(?:o(?:n)?)?)?)?)?)?)$/;
const ESCAPE = /\x1b\[([0-9;]*)([@-~])/g;
// Control characters other than newline and tab, including a lone ESC.
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/g;
// An escape sequence (or a CR that may be half of CRLF) cut at the end of a chunk: kept until the next chunk completes it.
const CUT = /(?:\x1b(?:\[[0-9;]*)?|\r)$/;

/** Where a section marker that the chunk ends in the middle of begins, if it does. */
function markerCut(text: string): { 0: string; index: number } | null {
  const afterNewline = text.lastIndexOf('\n') + 1;
  const clear = text.lastIndexOf('\x1b[0K');
  const lineStart = Math.max(afterNewline, clear < 0 ? 0 : clear + 4);
  const rest = text.slice(lineStart);
  return rest !== '' && CUT_MARKER.test(rest) ? { 0: rest, index: lineStart } : null;
}

/** Parses a log chunk by chunk, keeping the style and any half-received escape code between chunks. */
export class AnsiParser {
  private bold = false;
  private colour: string | null = null;
  private carry = '';

  /** The chunk's text as styled spans, section markers left out. */
  push(chunk: string): LogSpan[] {
    return this.pushEvents(chunk).flatMap((e) => (e.kind === 'text' ? e.spans : []));
  }

  /** The chunk as text and section markers, in order. */
  pushEvents(chunk: string): LogEvent[] {
    let text = this.carry + chunk;
    // A cut marker (which may end in a CR) first: it is longer than the escape code or CR it ends with.
    const cut = markerCut(text) ?? CUT.exec(text);
    this.carry = cut ? cut[0] : '';
    if (cut) text = text.slice(0, cut.index);
    const events: LogEvent[] = [];
    const addText = (raw: string) => {
      const spans = this.spansOf(raw);
      if (spans.length > 0) events.push({ kind: 'text', spans });
    };
    let at = 0;
    for (const m of text.matchAll(SECTION)) {
      addText(text.slice(at, m.index));
      at = m.index + m[0].length;
      const name = m[3] ?? '';
      const time = Number(m[2]);
      if (m[1] === 'start') events.push({ kind: 'start', name, time, collapsed: /(^|,)\s*collapsed=true\s*($|,)/.test(m[4] ?? '') });
      else events.push({ kind: 'end', name, time });
    }
    addText(text.slice(at));
    return events;
  }

  private spansOf(raw: string): LogSpan[] {
    // A lone carriage return (a progress bar redrawing itself) starts a new line here: no text is lost.
    const text = raw.replace(/\r\n/g, '\n').replace(/\r/g, '\n');
    const spans: LogSpan[] = [];
    const emit = (raw: string) => {
      const clean = raw.replace(CONTROL, '');
      if (!clean) return;
      const last = spans[spans.length - 1];
      if (last && last.bold === this.bold && last.colour === this.colour) last.text += clean;
      else spans.push({ text: clean, bold: this.bold, colour: this.colour });
    };
    let at = 0;
    for (const m of text.matchAll(ESCAPE)) {
      emit(text.slice(at, m.index));
      at = m.index + m[0].length;
      if (m[2] === 'm') this.apply(m[1] ?? '');
    }
    emit(text.slice(at));
    return spans;
  }

  private apply(params: string): void {
    const codes = params === '' ? [0] : params.split(';').map((c) => Number(c || '0'));
    for (let i = 0; i < codes.length; i++) {
      const c = codes[i]!;
      if (c === 0) {
        this.bold = false;
        this.colour = null;
      } else if (c === 1) this.bold = true;
      else if (c === 22) this.bold = false;
      else if (c >= 30 && c <= 37) this.colour = COLOURS[c - 30]!;
      else if (c >= 90 && c <= 97) this.colour = COLOURS[c - 90]!;
      else if (c === 39) this.colour = null;
      // 256-colour and RGB forms carry arguments that are not codes of their own.
      else if (c === 38 || c === 48) i += codes[i + 1] === 5 ? 2 : codes[i + 1] === 2 ? 4 : 0;
    }
  }
}
