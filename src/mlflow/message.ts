import { invalid } from '../shared/errors.ts';
import { pythonSpellingOf } from '../shared/json-number-spelling.ts';
import { invalidValue, missingValue } from '../tracking/limits.ts';

/**
 * Reads an MLflow request message. GET requests carry it in the query string (lists as repeated
 * keys, booleans as true/false), every other method as a JSON body. Like MLflow's proto-JSON
 * parser, int64 fields accept numbers or numeric strings, doubles accept "NaN" and
 * "±Infinity", and unknown fields are ignored so that newer clients keep working.
 */
export class Message {
  private readonly fields: Record<string, unknown>;

  /** `prefix` names a nested message in error messages: `metrics[3].value`. */
  constructor(
    source: unknown,
    private readonly prefix = '',
  ) {
    if (source === undefined || source === null) this.fields = {};
    else if (typeof source === 'object' && !Array.isArray(source)) this.fields = source as Record<string, unknown>;
    else throw invalid('The request body must be a JSON object');
  }

  private path(name: string): string {
    return this.prefix ? `${this.prefix}.${name}` : name;
  }

  /** A number as MLflow's Python server prints what the caller sent (`9.0` stays `9.0`). */
  private spelled(name: string, value: unknown): string | undefined {
    return typeof value === 'number' && this.fields[name] === value ? pythonSpellingOf(this.fields, name) : undefined;
  }

  has(name: string): boolean {
    const value = this.fields[name];
    return value !== undefined && value !== null;
  }

  private scalar(name: string): unknown {
    const value = this.fields[name];
    return Array.isArray(value) && value.length > 0 && typeof value[0] !== 'object' ? value[value.length - 1] : value;
  }

  string(name: string): string | undefined {
    const value = this.scalar(name);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw invalidValue(this.path(name), value, `Hint: Value was of type '${typeof value}'. Expected a string.`, this.spelled(name, value));
    return value;
  }

  requiredString(name: string): string {
    const value = this.string(name);
    if (value === undefined || value === '') throw missingValue(this.path(name));
    return value;
  }

  int64(name: string): number | undefined {
    const value = this.scalar(name);
    if (value === undefined || value === null || value === '') return undefined;
    const number = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isSafeInteger(number)) throw invalidValue(this.path(name), value, 'Expected an integer.');
    return number;
  }

  requiredInt64(name: string): number {
    const value = this.int64(name);
    if (value === undefined) throw missingValue(this.path(name));
    return value;
  }

  double(name: string): number | undefined {
    return Message.doubleValue(this.scalar(name), this.path(name));
  }

  static doubleValue(value: unknown, name: string): number | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'number') return value;
    if (typeof value === 'string') {
      if (value === 'NaN') return Number.NaN;
      if (value === 'Infinity') return Number.POSITIVE_INFINITY;
      if (value === '-Infinity') return Number.NEGATIVE_INFINITY;
      // Digits, then optionally a point and digits: /\d+\.?\d*/ would split a long run of digits
      // every possible way (quadratic time) before refusing "000…0x".
      if (/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/.test(value.trim())) return Number(value);
    }
    throw invalidValue(name, value, 'Please specify value as a valid double (64-bit floating point)');
  }

  bool(name: string): boolean | undefined {
    const value = this.scalar(name);
    if (value === undefined || value === null) return undefined;
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    throw invalidValue(this.path(name), value, 'Expected true or false.');
  }

  enumValue<T extends string>(name: string, values: readonly T[]): T | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    if (!(values as readonly string[]).includes(value)) throw invalidValue(this.path(name), value, `Expected one of ${values.join(', ')}.`);
    return value as T;
  }

  stringList(name: string): string[] {
    const value = this.fields[name];
    if (value === undefined || value === null) return [];
    const list = Array.isArray(value) ? value : [value];
    for (const item of list) if (typeof item !== 'string') throw invalidValue(this.path(name), value, 'Expected a list of strings.');
    return list as string[];
  }

  messages(name: string): Message[] {
    const value = this.fields[name];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) throw invalidValue(this.path(name), value, 'Expected a list.');
    return value.map((item, i) => {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) throw invalidValue(`${this.path(name)}[${i}]`, item, 'Expected an object.');
      return new Message(item, `${this.path(name)}[${i}]`);
    });
  }

  message(name: string): Message | undefined {
    const value = this.fields[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object' || Array.isArray(value)) throw invalidValue(this.path(name), value, 'Expected an object.');
    return new Message(value, this.path(name));
  }

  /** The client sends both `run_id` and the deprecated `run_uuid`. */
  runId(): string {
    const id = this.string('run_id') || this.string('run_uuid');
    if (!id) throw missingValue(this.path('run_id'));
    return id;
  }

  keyValues(name: string): { key: string; value: string }[] {
    return this.messages(name).map((m) => ({ key: m.requiredString('key'), value: m.requiredPresentString('value') }));
  }

  missing(name: string): never {
    throw missingValue(this.path(name));
  }

  /** A string that must be present but may be empty (tag and param values). */
  requiredPresentString(name: string): string {
    const value = this.string(name);
    if (value === undefined) throw missingValue(this.path(name));
    return value;
  }
}
