import { compileUntrustedRegex, UnsafeRegexError, type UntrustedRegex } from '../../shared/untrusted-regex.ts';

/**
 * GitLab's CI/CD variable expressions, the language of `rules: if:`. Variables (`$VAR`,
 * `${VAR}`), "strings" and 'strings' (no escapes, as GitLab), `null`, /patterns/ with the
 * flags i, m and s; `==`, `!=`, `=~`, `!~`; `&&` binds tighter than `||`; parentheses.
 * A bare operand is true when it is a non-empty string. An undefined variable is null: equal to
 * `null`, not to "", and matched as "" by `=~`, as GitLab does. Patterns run on RE2, as in
 * GitLab: matching takes linear time, and RE2's syntax (no backreferences, no lookaround) holds.
 */

export class ExpressionError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'ExpressionError';
  }
}

type Token =
  | { kind: 'variable'; name: string; at: number }
  | { kind: 'string'; value: string; at: number }
  | { kind: 'null'; at: number }
  | { kind: 'pattern'; pattern: Pattern; at: number }
  | { kind: 'op'; op: Operator; at: number }
  | { kind: '(' | ')'; at: number };
/** A compiled /pattern/flags and how it was written. */
interface Pattern {
  regex: UntrustedRegex;
  text: string;
}
type Operator = '==' | '!=' | '=~' | '!~' | '&&' | '||';
type Operand = Extract<Token, { kind: 'variable' | 'string' | 'null' | 'pattern' }>;
type Ast = { kind: 'or' | 'and'; left: Ast; right: Ast } | { kind: 'compare'; op: Extract<Operator, '==' | '!=' | '=~' | '!~'>; left: Operand; right: Operand } | { kind: 'value'; operand: Operand };

export function evaluateExpression(expression: string, variables: Record<string, string>): boolean {
  return evaluate(parse(expression), variables);
}

/** The syntax error of an expression, or undefined when it parses. */
export function checkExpression(expression: string): string | undefined {
  try {
    parse(expression);
    return undefined;
  } catch (error) {
    if (error instanceof ExpressionError) return error.message;
    throw error;
  }
}

const OPERATORS: readonly Operator[] = ['==', '!=', '=~', '!~', '&&', '||'];
const NAME = /^\w+/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < text.length) {
    const char = text[at] ?? '';
    const rest = text.slice(at);
    if (/\s/.test(char)) {
      at += 1;
    } else if (char === '(' || char === ')') {
      tokens.push({ kind: char, at });
      at += 1;
    } else if (char === '$') {
      const braced = /^\$\{(\w+)\}/.exec(rest);
      const plain = /^\$(\w+)/.exec(rest);
      const match = braced ?? plain;
      if (!match) throw new ExpressionError(`a variable name must follow '$' at offset ${at}`, at);
      tokens.push({ kind: 'variable', name: match[1] ?? '', at });
      at += match[0].length;
    } else if (char === '"' || char === "'") {
      const end = text.indexOf(char, at + 1);
      if (end < 0) throw new ExpressionError(`unterminated string at offset ${at}`, at);
      tokens.push({ kind: 'string', value: text.slice(at + 1, end), at });
      at = end + 1;
    } else if (char === '/') {
      const { pattern, length } = readPattern(rest, at);
      tokens.push({ kind: 'pattern', pattern, at });
      at += length;
    } else if (OPERATORS.some((op) => rest.startsWith(op))) {
      const op = rest.slice(0, 2) as Operator;
      tokens.push({ kind: 'op', op, at });
      at += 2;
    } else if (NAME.exec(rest)?.[0] === 'null') {
      tokens.push({ kind: 'null', at });
      at += 4;
    } else {
      throw new ExpressionError(`unexpected '${NAME.exec(rest)?.[0] ?? char}' at offset ${at}`, at);
    }
  }
  return tokens;
}

function readPattern(rest: string, at: number): { pattern: Pattern; length: number } {
  let end = 1;
  while (end < rest.length && rest[end] !== '/') end += rest[end] === '\\' ? 2 : 1;
  if (end >= rest.length) throw new ExpressionError(`unterminated regular expression at offset ${at}`, at);
  const flags = /^[a-zA-Z]*/.exec(rest.slice(end + 1))?.[0] ?? '';
  const pattern = buildPattern(rest.slice(1, end), flags);
  if (typeof pattern === 'string') throw new ExpressionError(`${pattern} at offset ${at}`, at);
  return { pattern, length: end + 1 + flags.length };
}

/** A compiled pattern, or why not. */
function buildPattern(source: string, flags: string): Pattern | string {
  if (source === '') return 'empty regular expression';
  try {
    return { regex: compileUntrustedRegex(source, flags), text: `/${source}/${flags}` };
  } catch (error) {
    if (error instanceof UnsafeRegexError) return error.message;
    throw error;
  }
}

function parse(expression: string): Ast {
  const tokens = tokenize(expression);
  if (tokens.length === 0) throw new ExpressionError('empty expression', 0);
  let index = 0;
  const peek = (): Token | undefined => tokens[index];
  const fail = (token: Token | undefined, expected: string): never => {
    if (!token) throw new ExpressionError(`unexpected end of expression, expected ${expected}`, expression.length);
    throw new ExpressionError(`unexpected ${describe(token)} at offset ${token.at}, expected ${expected}`, token.at);
  };
  const isOp = (token: Token | undefined, op: Operator): boolean => token?.kind === 'op' && token.op === op;

  const operand = (allowPattern: boolean): Operand => {
    const token = peek();
    if (token && (token.kind === 'variable' || token.kind === 'string' || token.kind === 'null' || (allowPattern && token.kind === 'pattern'))) {
      index += 1;
      return token;
    }
    if (token?.kind === 'pattern') throw new ExpressionError(`a regular expression may only follow =~ or !~ (offset ${token.at})`, token.at);
    return fail(token, 'a variable, a string or null');
  };
  const primary = (): Ast => {
    if (peek()?.kind === '(') {
      index += 1;
      const inner = or();
      if (peek()?.kind !== ')') fail(peek(), "')'");
      index += 1;
      return inner;
    }
    const left = operand(false);
    const next = peek();
    if (next?.kind === 'op' && (next.op === '==' || next.op === '!=' || next.op === '=~' || next.op === '!~')) {
      index += 1;
      const right = operand(next.op === '=~' || next.op === '!~');
      return { kind: 'compare', op: next.op, left, right };
    }
    return { kind: 'value', operand: left };
  };
  const and = (): Ast => {
    let left = primary();
    while (isOp(peek(), '&&')) {
      index += 1;
      left = { kind: 'and', left, right: primary() };
    }
    return left;
  };
  const or = (): Ast => {
    let left = and();
    while (isOp(peek(), '||')) {
      index += 1;
      left = { kind: 'or', left, right: and() };
    }
    return left;
  };
  const ast = or();
  if (index < tokens.length) fail(peek(), '&&, || or the end');
  return ast;
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'variable':
      return `$${token.name}`;
    case 'string':
      return `"${token.value}"`;
    case 'null':
      return 'null';
    case 'pattern':
      return token.pattern.text;
    case 'op':
      return `'${token.op}'`;
    default:
      return `'${token.kind}'`;
  }
}

function evaluate(ast: Ast, variables: Record<string, string>): boolean {
  switch (ast.kind) {
    case 'or':
      return evaluate(ast.left, variables) || evaluate(ast.right, variables);
    case 'and':
      return evaluate(ast.left, variables) && evaluate(ast.right, variables);
    case 'value': {
      const value = valueOf(ast.operand, variables);
      return typeof value === 'string' && value !== '';
    }
    case 'compare': {
      const left = valueOf(ast.left, variables);
      if (ast.op === '==' || ast.op === '!=') return (left === valueOf(ast.right, variables)) === (ast.op === '==');
      return matches(left, ast.right, variables) === (ast.op === '=~');
    }
  }
}

function valueOf(operand: Operand, variables: Record<string, string>): string | null | Pattern {
  switch (operand.kind) {
    case 'variable':
      return Object.hasOwn(variables, operand.name) ? (variables[operand.name] ?? null) : null;
    case 'string':
      return operand.value;
    case 'null':
      return null;
    case 'pattern':
      return operand.pattern;
  }
}

/**
 * `=~`. The right side may be a variable or string holding `/pattern/flags`; one that holds
 * nothing, or no valid pattern, matches nothing (GitLab fails the same rule at run time).
 */
function matches(left: string | null | Pattern, right: Operand, variables: Record<string, string>): boolean {
  const value = valueOf(right, variables);
  let pattern: Pattern | string | undefined;
  if (typeof value === 'string') {
    const parts = /^\/(.+)\/([a-zA-Z]*)$/s.exec(value);
    pattern = parts ? buildPattern(parts[1] ?? '', parts[2] ?? '') : undefined;
  } else if (value !== null) pattern = value;
  if (pattern === undefined || typeof pattern === 'string') return false;
  return pattern.regex.test(typeof left === 'string' ? left : '');
}
