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
  it('refuses nested quantifiers, backreferences and lookaround, and keeps ordinary patterns', async () => {
    const { checkExpression, evaluateExpression } = await import('../../src/pipelines/config/expressions.ts');
    expect(checkExpression('$X =~ /(a+)+$/')).toMatch(/nested quantifiers/);
    expect(checkExpression('$X =~ /((ab)*c)*$/')).toMatch(/nested quantifiers/);
    expect(checkExpression('$X =~ /(a)\\1/')).toMatch(/backreferences/);
    expect(checkExpression('$X =~ /a(?=b)/')).toMatch(/lookaround/);
    expect(checkExpression('$X =~ /^release-(v[0-9]+)\\.x$/')).toBeUndefined();
    expect(evaluateExpression('$BRANCH =~ /^feature\\/.+/', { BRANCH: 'feature/x' })).toBe(true);
  });
});
