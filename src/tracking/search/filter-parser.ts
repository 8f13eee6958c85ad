import { invalid } from '../../shared/errors.ts';
import { previewText } from '../../shared/preview.ts';

/**
 * MLflow's search filter grammar (`metrics.loss < 0.5 AND params.model = 'cnn'`), extended with
 * OR and parentheses (mlflow#6075). The parser knows nothing about runs or models: it yields
 * comparisons on raw identifiers, and each search resolves and validates those for its entity.
 */

export type Comparator = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE' | 'ILIKE' | 'IN' | 'NOT IN' | 'IS NULL' | 'IS NOT NULL';

export type Literal = { type: 'string'; value: string } | { type: 'number'; value: number; text: string } | { type: 'list'; values: string[] } | { type: 'none' };

export interface RawComparison {
  kind: 'compare';
  /** `metrics` in `metrics.loss`; null when the identifier has no prefix. */
  prefix: string | null;
  key: string;
  comparator: Comparator;
  literal: Literal;
}

export type FilterNode = RawComparison | { kind: 'and'; items: FilterNode[] } | { kind: 'or'; items: FilterNode[] };

type Token =
  | { type: 'ident'; prefix: string | null; key: string; at: number }
  | { type: 'string'; value: string; at: number }
  | { type: 'number'; value: number; text: string; at: number }
  | { type: 'op'; value: string; at: number }
  | { type: 'word'; value: string; at: number }
  | { type: 'paren'; value: '(' | ')'; at: number }
  | { type: 'comma'; at: number };

const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IN', 'IS', 'NULL', 'LIKE', 'ILIKE']);

function fail(filter: string, at: number, what: string): never {
  throw invalid(`Invalid filter '${filter}': ${what} at position ${at}`);
}

function readQuoted(filter: string, start: number): { text: string; end: number } {
  const quote = filter[start]!;
  let text = '';
  let i = start + 1;
  while (i < filter.length) {
    const c = filter[i]!;
    if (c === '\\' && i + 1 < filter.length) {
      text += filter[i + 1];
      i += 2;
      continue;
    }
    if (c === quote) {
      if (filter[i + 1] === quote) {
        text += quote;
        i += 2;
        continue;
      }
      return { text, end: i + 1 };
    }
    text += c;
    i++;
  }
  fail(filter, start, `unterminated ${quote} quote`);
}

/** `metrics.loss`, `metrics."my loss"`, metrics.`a b`, `run_name`, `"run name"`. */
function readIdentifier(filter: string, start: number): { prefix: string | null; key: string; end: number } {
  let i = start;
  if (filter[i] === '"' || filter[i] === '`') {
    const quoted = readQuoted(filter, i);
    return { prefix: null, key: quoted.text, end: quoted.end };
  }
  const word = /^[A-Za-z_][\w]*/.exec(filter.slice(i));
  if (!word) fail(filter, i, 'expected an identifier');
  const head = word[0];
  i += head.length;
  if (filter[i] !== '.') return { prefix: null, key: head, end: i };
  i++;
  if (filter[i] === '"' || filter[i] === '`') {
    const quoted = readQuoted(filter, i);
    return { prefix: head, key: quoted.text, end: quoted.end };
  }
  const rest = /^[\w.\-/:]+/.exec(filter.slice(i));
  if (!rest) fail(filter, i, 'expected a key after the "."');
  return { prefix: head, key: rest[0], end: i + rest[0].length };
}

function tokenize(filter: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < filter.length) {
    const c = filter[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '(' || c === ')') {
      tokens.push({ type: 'paren', value: c, at: i });
      i++;
      continue;
    }
    if (c === ',') {
      tokens.push({ type: 'comma', at: i });
      i++;
      continue;
    }
    const op = /^(<=|>=|!=|<>|==|=|<|>)/.exec(filter.slice(i));
    if (op) {
      tokens.push({ type: 'op', value: op[0] === '<>' ? '!=' : op[0] === '==' ? '=' : op[0], at: i });
      i += op[0].length;
      continue;
    }
    const number = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?(?![\w.])/.exec(filter.slice(i));
    if (number) {
      tokens.push({ type: 'number', value: Number(number[0]), text: number[0], at: i });
      i += number[0].length;
      continue;
    }
    if (c === "'") {
      const quoted = readQuoted(filter, i);
      tokens.push({ type: 'string', value: quoted.text, at: i });
      i = quoted.end;
      continue;
    }
    const previous = tokens[tokens.length - 1];
    const expectsValue =
      previous !== undefined &&
      (previous.type === 'op' ||
        (previous.type === 'word' && ['LIKE', 'ILIKE'].includes(previous.value)) ||
        previous.type === 'comma' ||
        (previous.type === 'paren' && previous.value === '(' && tokens[tokens.length - 2]?.type === 'word'));
    if (c === '"' && expectsValue) {
      // After a comparator, a double-quoted text is a value, as MLflow accepts.
      const quoted = readQuoted(filter, i);
      tokens.push({ type: 'string', value: quoted.text, at: i });
      i = quoted.end;
      continue;
    }
    const word = /^[A-Za-z]+(?![\w.])/.exec(filter.slice(i));
    if (word && KEYWORDS.has(word[0].toUpperCase())) {
      tokens.push({ type: 'word', value: word[0].toUpperCase(), at: i });
      i += word[0].length;
      continue;
    }
    if (/[A-Za-z_"`]/.test(c)) {
      const ident = readIdentifier(filter, i);
      tokens.push({ type: 'ident', prefix: ident.prefix, key: ident.key, at: i });
      i = ident.end;
      continue;
    }
    fail(filter, i, `unexpected character '${c}'`);
  }
  return tokens;
}

class Parser {
  private position = 0;

  constructor(
    private readonly filter: string,
    private readonly tokens: Token[],
  ) {}

  private peek(): Token | undefined {
    return this.tokens[this.position];
  }

  private next(): Token | undefined {
    return this.tokens[this.position++];
  }

  private isWord(token: Token | undefined, word: string): boolean {
    return token?.type === 'word' && token.value === word;
  }

  private atEnd(): number {
    return this.peek()?.at ?? this.filter.length;
  }

  parse(): FilterNode {
    const node = this.parseOr();
    const rest = this.peek();
    if (rest) fail(this.filter, rest.at, `unexpected '${this.describe(rest)}'`);
    return node;
  }

  private describe(token: Token): string {
    switch (token.type) {
      case 'ident':
        return token.prefix ? `${token.prefix}.${token.key}` : token.key;
      case 'string':
        return `'${token.value}'`;
      case 'number':
        return token.text;
      case 'op':
      case 'word':
      case 'paren':
        return token.value;
      case 'comma':
        return ',';
    }
  }

  private parseOr(): FilterNode {
    const items = [this.parseAnd()];
    while (this.isWord(this.peek(), 'OR')) {
      this.next();
      items.push(this.parseAnd());
    }
    return items.length === 1 ? items[0]! : { kind: 'or', items };
  }

  private parseAnd(): FilterNode {
    const items = [this.parsePrimary()];
    while (this.isWord(this.peek(), 'AND')) {
      this.next();
      items.push(this.parsePrimary());
    }
    return items.length === 1 ? items[0]! : { kind: 'and', items };
  }

  private parsePrimary(): FilterNode {
    const token = this.peek();
    if (token?.type === 'paren' && token.value === '(') {
      this.next();
      const inner = this.parseOr();
      const close = this.next();
      if (close?.type !== 'paren' || close.value !== ')') fail(this.filter, close?.at ?? this.filter.length, 'expected ")"');
      return inner;
    }
    return this.parseComparison();
  }

  private parseComparison(): RawComparison {
    const ident = this.next();
    if (ident?.type !== 'ident') fail(this.filter, ident?.at ?? this.filter.length, 'expected an identifier such as metrics.loss');
    const base = { kind: 'compare' as const, prefix: ident.prefix, key: ident.key };
    const op = this.next();
    if (op?.type === 'op') return { ...base, comparator: op.value as Comparator, literal: this.parseScalar() };
    if (this.isWord(op, 'LIKE') || this.isWord(op, 'ILIKE')) return { ...base, comparator: (op as { value: string }).value as Comparator, literal: this.parseScalar() };
    if (this.isWord(op, 'IS')) {
      const negated = this.isWord(this.peek(), 'NOT');
      if (negated) this.next();
      if (!this.isWord(this.next(), 'NULL')) fail(this.filter, this.atEnd(), 'expected NULL after IS');
      return { ...base, comparator: negated ? 'IS NOT NULL' : 'IS NULL', literal: { type: 'none' } };
    }
    if (this.isWord(op, 'IN')) return { ...base, comparator: 'IN', literal: this.parseList() };
    if (this.isWord(op, 'NOT')) {
      if (!this.isWord(this.next(), 'IN')) fail(this.filter, this.atEnd(), 'expected IN after NOT');
      return { ...base, comparator: 'NOT IN', literal: this.parseList() };
    }
    fail(this.filter, op?.at ?? this.filter.length, 'expected a comparator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN, IS NULL)');
  }

  private parseScalar(): Literal {
    const token = this.next();
    if (token?.type === 'string') return { type: 'string', value: token.value };
    if (token?.type === 'number') return { type: 'number', value: token.value, text: token.text };
    if (token?.type === 'ident') {
      fail(this.filter, token.at, `value ${this.describe(token)} is not quoted; use single or double quotes`);
    }
    fail(this.filter, token?.at ?? this.filter.length, 'expected a value');
  }

  private parseList(): Literal {
    const open = this.next();
    if (open?.type !== 'paren' || open.value !== '(') fail(this.filter, open?.at ?? this.filter.length, 'expected "(" to start a list');
    const values: string[] = [];
    for (;;) {
      const token = this.next();
      if (token?.type !== 'string') fail(this.filter, token?.at ?? this.filter.length, 'lists take quoted strings');
      values.push(token.value);
      const after = this.next();
      if (after?.type === 'comma') continue;
      if (after?.type === 'paren' && after.value === ')') break;
      fail(this.filter, after?.at ?? this.filter.length, 'expected "," or ")" in the list');
    }
    return { type: 'list', values };
  }
}

export const MAX_FILTER_LENGTH = 10_000;

/** Parses a filter string; an empty or blank filter yields null (no condition). */
export function parseFilter(filter: string | undefined | null): FilterNode | null {
  if (filter === undefined || filter === null || filter.trim() === '') return null;
  if (filter.length > MAX_FILTER_LENGTH) throw invalid(`filter is too long (maximum is ${MAX_FILTER_LENGTH} characters)`);
  return new Parser(filter, tokenize(filter)).parse();
}

/** Parses an order_by clause: `metrics.loss DESC`, `start_time`, `params."lr" ASC`. */
export function parseOrderBy(clause: string): { prefix: string | null; key: string; ascending: boolean } {
  // Split without a regex that backtracks: /^(.*?)\s+(ASC|DESC)?\s*$/ takes quadratic time on a long run of spaces.
  const trimmed = clause.trim();
  const direction = /\s(ASC|DESC)$/i.exec(trimmed);
  const target = (direction ? trimmed.slice(0, direction.index) : trimmed).trim();
  if (target === '') throw invalid(`Invalid order_by clause '${previewText(clause)}'`);
  const tokens = tokenize(target);
  const ident = tokens[0];
  if (tokens.length !== 1 || ident?.type !== 'ident') throw invalid(`Invalid order_by clause '${previewText(clause)}'. Could not be parsed.`);
  return { prefix: ident.prefix, key: ident.key, ascending: (direction?.[1] ?? 'ASC').toUpperCase() === 'ASC' };
}
