import { describe, expect, it } from 'vitest';
import { checkExpression, evaluateExpression, ExpressionError } from '../../src/pipelines/config/expressions.ts';

const vars: Record<string, string> = {
  BRANCH: 'main',
  OTHER_BRANCH: 'main',
  TAG: 'v1.2.3',
  EMPTY: '',
  SOURCE: 'push',
  PATTERN: '/^v\\d+/',
  IPATTERN: '/^MAIN$/i',
  NOT_A_PATTERN: 'main',
};

const truthTable: [string, boolean][] = [
  // presence: defined and non-empty
  ['$BRANCH', true],
  ['${BRANCH}', true],
  ['$EMPTY', false],
  ['$UNDEFINED', false],
  ['"text"', true],
  ['""', false],
  ['null', false],
  // equality against strings in both quotes
  ['$BRANCH == "main"', true],
  ["$BRANCH == 'main'", true],
  ['$BRANCH == "dev"', false],
  ['$BRANCH != "dev"', true],
  ['"main" == $BRANCH', true],
  ['${BRANCH}=="main"', true],
  // null and empty
  ['$UNDEFINED == null', true],
  ['$UNDEFINED != null', false],
  ['$UNDEFINED == ""', false],
  ['$EMPTY == ""', true],
  ['$EMPTY == null', false],
  ['$BRANCH == null', false],
  ['$BRANCH != null', true],
  ['null == null', true],
  // variable to variable
  ['$BRANCH == $OTHER_BRANCH', true],
  ['$BRANCH != $OTHER_BRANCH', false],
  ['$BRANCH == $TAG', false],
  ['$UNDEFINED == $ALSO_UNDEFINED', true],
  ['$EMPTY == $UNDEFINED', false],
  // regular expressions
  ['$TAG =~ /^v\\d+\\.\\d+\\.\\d+$/', true],
  ['$BRANCH =~ /^release-/', false],
  ['$BRANCH !~ /^release-/', true],
  ['$BRANCH =~ /MAIN/', false],
  ['$BRANCH =~ /MAIN/i', true],
  ['$BRANCH =~ /ai/', true],
  ['$BRANCH =~ /a\\/b/', false],
  ['$UNDEFINED =~ /^$/', true],
  ['$TAG =~ $PATTERN', true],
  ['$BRANCH =~ $IPATTERN', true],
  ['$BRANCH =~ $NOT_A_PATTERN', false],
  ['$BRANCH =~ $UNDEFINED', false],
  ['$BRANCH !~ $UNDEFINED', true],
  // && binds tighter than ||
  ['$BRANCH == "main" && $SOURCE == "push"', true],
  ['$BRANCH == "main" && $SOURCE == "schedule"', false],
  ['$BRANCH == "dev" || $SOURCE == "push"', true],
  ['$UNDEFINED || $BRANCH && $SOURCE == "schedule"', false],
  ['$BRANCH || $UNDEFINED && $EMPTY', true],
  ['$BRANCH == "dev" && $SOURCE == "push" || $TAG', true],
  // parentheses
  ['($BRANCH || $UNDEFINED) && $EMPTY', false],
  ['$BRANCH && ($SOURCE == "schedule" || $TAG =~ /^v/)', true],
  ['(($BRANCH == "main"))', true],
  ['($UNDEFINED || ($EMPTY || $SOURCE == "push")) && $TAG', true],
];

describe('CI/CD variable expressions', () => {
  it.each(truthTable)('%s is %s', (expression, expected) => {
    expect(checkExpression(expression)).toBeUndefined();
    expect(evaluateExpression(expression, vars)).toBe(expected);
  });

  it('looks up only the variables it is given, not object properties', () => {
    expect(evaluateExpression('$constructor', {})).toBe(false);
    expect(evaluateExpression('$toString == null', {})).toBe(true);
  });

  it('reads the m and s flags', () => {
    expect(evaluateExpression('$TEXT =~ /^b$/m', { TEXT: 'a\nb' })).toBe(true);
    expect(evaluateExpression('$TEXT =~ /^b$/', { TEXT: 'a\nb' })).toBe(false);
    expect(evaluateExpression('$TEXT =~ /a.b/s', { TEXT: 'a\nb' })).toBe(true);
  });

  const syntaxErrors: [string, RegExp][] = [
    ['', /empty expression/],
    ['$', /variable name must follow/],
    ['$A ==', /unexpected end of expression/],
    ['== "a"', /unexpected '=='/],
    ['$A == "a', /unterminated string/],
    ['$A =~ /abc', /unterminated regular expression/],
    ['$A =~ /abc/x', /unsupported regular expression flags 'x'/],
    ['$A =~ /(/', /invalid regular expression/],
    ['$A == /abc/', /regular expression may only follow/],
    ['$A == "a" == "b"', /unexpected '=='/],
    ['($A', /expected '\)'/],
    ['$A)', /unexpected '\)'/],
    ['$A && ', /unexpected end/],
    ['$A = "a"', /unexpected '='/],
    ['true', /unexpected 'true'/],
    ['$A $B', /unexpected \$B/],
  ];

  it.each(syntaxErrors)('refuses %j', (expression, message) => {
    expect(checkExpression(expression)).toMatch(message);
    expect(() => evaluateExpression(expression, {})).toThrow(ExpressionError);
  });

  it('tells where a syntax error is', () => {
    try {
      evaluateExpression('$A == "a" && && $B', {});
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ExpressionError);
      expect((error as ExpressionError).offset).toBe(13);
    }
  });
});

describe('regular expressions that could stall the server', () => {
  const hostile = (count: number) => ({ X: `${'a'.repeat(count)}!` });
  const elapsedMs = (run: () => void): number => {
    const started = performance.now();
    run();
    return performance.now() - started;
  };

  // Each takes exponential (or high-polynomial) time on a backtracking engine: the red team's
  // /^(a|a)*$/ blocked the server 2 s with 28 a's, 4 times longer per 2 more.
  it.each([
    ['^(a|a)*$', 28],
    ['(a|a)*$', 40],
    ['(a+)+$', 50],
    ['(.*a){20}', 30],
    ['^(a|aa)+$', 50],
    ['^(a|a)*$', 50],
  ])('evaluates /%s/ on %i a\'s and "!" in well under 100 ms', (pattern, count) => {
    const expression = `$X =~ /${pattern}/`;
    expect(checkExpression(expression)).toBeUndefined();
    expect(elapsedMs(() => evaluateExpression(expression, hostile(count)))).toBeLessThan(100);
    expect(elapsedMs(() => evaluateExpression('$X =~ $P', { ...hostile(count), P: `/${pattern}/` }))).toBeLessThan(100);
  });

  it('still matches what those patterns mean', () => {
    expect(evaluateExpression('$X =~ /^(a|a)*$/', { X: 'aaaa' })).toBe(true);
    expect(evaluateExpression('$X =~ /^(a|a)*$/', hostile(40))).toBe(false);
    expect(evaluateExpression('$X =~ /(a+)+$/', hostile(40))).toBe(false);
    expect(evaluateExpression('$X =~ /(a+)+$/', { X: 'baa' })).toBe(true);
    expect(evaluateExpression('$X =~ /^(a|aa)+$/', { X: 'aaaaa' })).toBe(true);
  });

  it('refuses what RE2 cannot do with a message that says so, and keeps ordinary patterns', () => {
    expect(checkExpression('$X =~ /(a)\\1/')).toMatch(/backreferences are not supported/);
    expect(checkExpression('$X =~ /a(?=b)/')).toMatch(/lookaround is not supported/);
    expect(checkExpression('$X =~ /(?<!a)b/')).toMatch(/lookaround is not supported/);
    expect(checkExpression('$X =~ /a{1001}/')).toMatch(/invalid regular expression .*invalid repeat count/);
    expect(checkExpression('$X =~ /^release-(v[0-9]+)\\.x$/')).toBeUndefined();
    expect(checkExpression('$X =~ /^(?<kind>feat|fix)\\//')).toBeUndefined();
    expect(evaluateExpression('$BRANCH =~ /^feature\\/.+/', { BRANCH: 'feature/x' })).toBe(true);
  });

  it('refuses patterns that compile to too many instructions, since matching costs one step per instruction per character', () => {
    expect(checkExpression('$X =~ /[a-z]{500}/')).toBeUndefined();
    expect(checkExpression('$X =~ /[a-z]{1000}/')).toMatch(/too large: it compiles to 1002 instructions \(at most 1000\)/);
    expect(checkExpression(`$X =~ /${'(.{999})'.repeat(50)}/`)).toMatch(/too large/);
    expect(checkExpression(`$X =~ /${'a'.repeat(513)}/`)).toMatch(/longer than 512 characters/);
    // A pattern held in a variable is checked the same way; one that is refused matches nothing.
    const big = { X: 'a'.repeat(10_000), P: `/${'(.{999})'.repeat(50)}/` };
    // Matched, it would cost 10 000 characters × 50 000 instructions (seconds); refused, it costs
    // nothing. The bound leaves room for a loaded machine (148 ms seen on one).
    expect(elapsedMs(() => expect(evaluateExpression('$X =~ $P', big)).toBe(false))).toBeLessThan(1000);
  });
});
