/**
 * Job logs carry ANSI escape codes (the runner prints commands in bold green). This turns a log
 * into styled runs of plain text; the page renders them as text nodes, so nothing in a log is
 * ever parsed as HTML. Only bold and the 16 foreground colours are kept; other codes are dropped.
 */
export interface LogSpan {
  text: string;
  bold: boolean;
  colour: string | null;
  /** The start of a line GitLab Runner stamped (`FF_TIMESTAMPS`): its time, ISO 8601 in UTC; the text is empty. */
  stamp?: string;
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

// GitLab Runner's line header with FF_TIMESTAMPS (its timestamper): `2024-05-22T11:42:50.123456Z `,
// a two-digit hex stream number, `O` or `E` (stdout, stderr), and ` ` or `+` (the entry goes on the
// line before, which the runner broke only to flush it).
const STAMP = /(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z) [0-9a-f]{2}[OE]([ +])/y;
const STAMP_TEMPLATE = '0000-00-00T00:00:00.000000Z 00O ';
const TRAILING_ERASE = /(?:\x1b\[0K)*(?:\x1b(?:\[0?)?)?$/;
// Stamped lines carry their time to the span builder between these private-use characters.
const STAMP_OPEN = '\uE000';
const STAMP_CLOSE = '\uE001';
const STAMP_IN_TEXT = /\uE000([^\uE001]*)\uE001/g;
const STAMP_BEFORE_MARKER = /\uE000[^\uE001]*\uE001(?:\x1b\[0K)*$/;

/**
 * Whether `text` is a line header, or its beginning, that the chunk ends with (erase-line codes
 * after it included): what follows may be a section marker, which takes the line and its time.
 */
function isStampPrefix(text: string): boolean {
  if (text.length === 0 || text.length > STAMP_TEMPLATE.length) return false;
  STAMP.lastIndex = 0;
  return STAMP.test(text + STAMP_TEMPLATE.slice(text.length));
}

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
  private atLineStart = true;
  private afterMarker = false;

  /** The chunk's text as styled spans, section markers left out. */
  push(chunk: string): LogSpan[] {
    return this.pushEvents(chunk).flatMap((e) => (e.kind === 'text' ? e.spans : []));
  }

  /** The chunk as text and section markers, in order. */
  pushEvents(chunk: string): LogEvent[] {
    let text = this.carry + chunk;
    // A cut line header, then a cut marker (which may end in a CR): each is longer than the escape code or CR it ends with.
    let cut: { index: number } | null = this.stampCut(text) ?? markerCut(text) ?? CUT.exec(text);
    // A marker cut right after its line's header: the header waits with it.
    if (cut) cut = this.stampCut(text.slice(0, cut.index)) ?? cut;
    this.carry = cut ? text.slice(cut.index) : '';
    if (cut) text = text.slice(0, cut.index);
    text = this.markStamps(text);
    const events: LogEvent[] = [];
    const addText = (raw: string) => {
      const spans = this.spansOf(raw);
      if (spans.length > 0) events.push({ kind: 'text', spans });
    };
    // The line break that ends a marker's own line (FF_TIMESTAMPS puts one after each) would be an empty line.
    let at = this.afterMarker && text.startsWith('\n') ? 1 : 0;
    if (text.length > 0) this.afterMarker = false;
    for (const m of text.matchAll(SECTION)) {
      if (m.index < at) continue;
      // A marker's own line header (FF_TIMESTAMPS) would stand alone as a line: the section shows its times.
      addText(text.slice(at, m.index).replace(STAMP_BEFORE_MARKER, ''));
      at = m.index + m[0].length;
      if (text[at] === '\n') at++;
      else if (at === text.length) this.afterMarker = true;
      const name = m[3] ?? '';
      const time = Number(m[2]);
      if (m[1] === 'start') events.push({ kind: 'start', name, time, collapsed: /(^|,)\s*collapsed=true\s*($|,)/.test(m[4] ?? '') });
      else events.push({ kind: 'end', name, time });
    }
    addText(text.slice(at));
    return events;
  }

  /** A line header cut at the end of the chunk, at the start of its last line. */
  private stampCut(text: string): { 0: string; index: number } | null {
    const newline = text.lastIndexOf('\n');
    if (newline < 0 && !this.atLineStart) return null;
    const rest = text.slice(newline + 1);
    return isStampPrefix(rest.replace(TRAILING_ERASE, '')) ? { 0: rest, index: newline + 1 } : null;
  }

  /** Each line header replaced by its time between the stamp characters; a continuation (`+`) loses its header only. */
  private markStamps(text: string): string {
    let out = '';
    let at = 0;
    let lineStart = this.atLineStart ? 0 : text.indexOf('\n') + 1 || -1;
    while (lineStart >= 0 && lineStart <= text.length) {
      STAMP.lastIndex = lineStart;
      const m = STAMP.exec(text);
      if (m) {
        out += text.slice(at, lineStart) + (m[2] === '+' ? '' : `${STAMP_OPEN}${m[1]}${STAMP_CLOSE}`);
        at = lineStart + m[0].length;
      }
      const next = text.indexOf('\n', lineStart);
      lineStart = next < 0 ? -1 : next + 1;
    }
    if (text.length > 0) this.atLineStart = text.endsWith('\n');
    return out + text.slice(at);
  }

  private spansOf(raw: string): LogSpan[] {
    // A lone carriage return (a progress bar redrawing itself) starts a new line here: no text is lost.
    const text = raw.replace(/\r\n/g, '\n').replace(/\r/g, '\n');
    const spans: LogSpan[] = [];
    const emit = (raw: string) => {
      const clean = raw.replace(CONTROL, '');
      if (!clean) return;
      const last = spans[spans.length - 1];
      if (last && !last.stamp && last.bold === this.bold && last.colour === this.colour) last.text += clean;
      else spans.push({ text: clean, bold: this.bold, colour: this.colour });
    };
    const styled = (part: string) => {
      let at = 0;
      for (const m of part.matchAll(ESCAPE)) {
        emit(part.slice(at, m.index));
        at = m.index + m[0].length;
        if (m[2] === 'm') this.apply(m[1] ?? '');
      }
      emit(part.slice(at));
    };
    let at = 0;
    for (const m of text.matchAll(STAMP_IN_TEXT)) {
      styled(text.slice(at, m.index));
      spans.push({ text: '', bold: false, colour: null, stamp: m[1]! });
      at = m.index + m[0].length;
    }
    styled(text.slice(at));
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
