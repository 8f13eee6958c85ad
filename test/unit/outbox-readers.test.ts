import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? sources(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

describe('the event outbox', () => {
  it('is read by one consumer loop (OutboxConsumer: a cursor per consumer, one replica at a time by lease), never by a loop of its own', () => {
    const readers = sources('src')
      .filter((file) => !file.includes(`${path.sep}migrations${path.sep}`))
      .filter((file) => /selectFrom\('events'\)/.test(fs.readFileSync(file, 'utf8')))
      .map((file) => path.relative('src', file));
    expect(readers).toEqual([path.join('events', 'outbox-consumer.ts')]);
  });
});
