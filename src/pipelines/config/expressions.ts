/**
 * GitLab's CI/CD variable expressions, the language of `rules: if:`. Variables (`$VAR`,
 * `${VAR}`), "strings" and 'strings' (no escapes, as GitLab), `null`, /patterns/ with the
 * flags i, m and s; `==`, `!=`, `=~`, `!~`; `&&` binds tighter than `||`; parentheses.
 * A bare operand is true when it is a non-empty string. An undefined variable is null: equal to
 * `null`, not to "", and matched as "" by `=~`, as GitLab does.
 */

export class ExpressionError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
    this.name = 'ExpressionError';
  }
}

type Token =
  | { kind: 'variable'; name: string; at: number }
  | { kind: 'string'; value: string; at: number }
  | { kind: 'null'; at: number }
  | { kind: 'pattern'; regex: RegExp; at: number }
  | { kind: 'op'; op: Operator; at: number }
  | { kind: '(' | ')'; at: number };
type Operator = '==' | '!=' | '=~' | '!~' | '&&' | '||';
type Operand = Extract<Token, { kind: 'variable' | 'string' | 'null' | 'pattern' }>;
type Ast =
  | { kind: 'or' | 'and'; left: Ast; right: Ast }
  | { kind: 'compare'; op: Extract<Operator, '==' | '!=' | '=~' | '!~'>; left: Operand; right: Operand }
  | { kind: 'value'; operand: Operand };

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
const REGEX_FLAGS = /^[ims]*$/;

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
      const { regex, length } = readPattern(rest, at);
      tokens.push({ kind: 'pattern', regex, at });
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

function readPattern(rest: string, at: number): { regex: RegExp; length: number } {
  let end = 1;
  while (end < rest.length && rest[end] !== '/') end += rest[end] === '\\' ? 2 : 1;
  if (end >= rest.length) throw new ExpressionError(`unterminated regular expression at offset ${at}`, at);
  const flags = /^[a-zA-Z]*/.exec(rest.slice(end + 1))?.[0] ?? '';
  const regex = buildRegex(rest.slice(1, end), flags);
  if (typeof regex === 'string') throw new ExpressionError(`${regex} at offset ${at}`, at);
  return { regex, length: end + 1 + flags.length };
}

/**
 * A RegExp, or why not. GitLab runs these with RE2 (linear time); JavaScript's engine
 * backtracks, so a pattern like /(a+)+$/ can be slow on a long hostile value.
 */
function buildRegex(source: string, flags: string): RegExp | string {
  if (source === '') return 'empty regular expression';
  const unsafe = backtrackingRisk(source);
  if (unsafe) return unsafe;
  if (!REGEX_FLAGS.test(flags)) return `unsupported regular expression flags '${flags}' (i, m and s are)`;
  try {
    return new RegExp(source, flags);
  } catch {
    return `invalid regular expression /${source}/`;
  }
}

/**
 * Patterns that RE2 refuses (backreferences, lookaround) and those that make a backtracking
 * engine take exponential time (a quantified group that itself contains a quantifier, as in
 * /(a+)+$/) are refused, so a pipeline file cannot stall the server that plans it.
 */
function backtrackingRisk(source: string): string | undefined {
  if (source.length > 512) return 'regular expression longer than 512 characters';
  if (/\\[1-9]|\\k</.test(source)) return 'backreferences are not supported in rules (GitLab uses RE2)';
  if (/\(\?<?[=!]/.test(source)) return 'lookaround is not supported in rules (GitLab uses RE2)';
  const groups: { quantified: boolean }[] = [];
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') groups.push({ quantified: false });
    else if (c === ')') {
      const group = groups.pop();
      const next = source[i + 1];
      if (group?.quantified && (next === '+' || next === '*' || next === '{')) return 'nested quantifiers such as /(a+)+/ are not supported in rules: they can take exponential time';
      if (group?.quantified && groups.length > 0) groups[groups.length - 1]!.quantified = true;
    } else if ((c === '+' || c === '*' || c === '{') && groups.length > 0) groups[groups.length - 1]!.quantified = true;
  }
  return undefined;
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
      return token.regex.toString();
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

function valueOf(operand: Operand, variables: Record<string, string>): string | null | RegExp {
  switch (operand.kind) {
    case 'variable':
      return Object.hasOwn(variables, operand.name) ? (variables[operand.name] ?? null) : null;
    case 'string':
      return operand.value;
    case 'null':
      return null;
    case 'pattern':
      return operand.regex;
  }
}

/**
 * `=~`. The right side may be a variable or string holding `/pattern/flags`; one that holds
 * nothing, or no valid pattern, matches nothing (GitLab fails the same rule at run time).
 */
function matches(left: string | null | RegExp, right: Operand, variables: Record<string, string>): boolean {
  const pattern = valueOf(right, variables);
  let regex: RegExp | undefined;
  if (pattern instanceof RegExp) regex = pattern;
  else if (typeof pattern === 'string') {
    const parts = /^\/(.+)\/([a-zA-Z]*)$/s.exec(pattern);
    const built = parts ? buildRegex(parts[1] ?? '', parts[2] ?? '') : undefined;
    regex = built instanceof RegExp ? built : undefined;
  }
  if (!regex) return false;
  return regex.test(typeof left === 'string' ? left : '');
}
