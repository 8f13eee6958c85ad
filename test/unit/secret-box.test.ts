import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { fixedKeys, SecretBox } from '../../src/secrets/secret-box.ts';
import { newSecretKey, parseSecretKeyText, secretKeyText } from '../../src/secrets/secret-key.ts';
import { openKeyring } from '../../src/secrets/keyring.ts';
import { ConfigError, loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/server/logger.ts';

const CONTEXT = 'webhooks.secret#1';

describe('SecretBox', () => {
  it('seals with AES-256-GCM into v1:<key id>:<iv>:<ciphertext+tag>, a fresh IV each time, and opens it again', () => {
    const key = newSecretKey();
    const box = new SecretBox(fixedKeys([key]));
    const a = box.seal('whsec-plaintext-0123456789', CONTEXT);
    const b = box.seal('whsec-plaintext-0123456789', CONTEXT);
    expect(a).toMatch(new RegExp(`^v1:${key.id}:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]+$`));
    expect(a).not.toBe(b);
    expect(a).not.toContain('plaintext');
    expect(box.open(a, CONTEXT)).toBe('whsec-plaintext-0123456789');
    expect(box.open(box.seal('', CONTEXT), CONTEXT)).toBe('');
    expect(box.open(box.seal('ünïcødé 🔑', CONTEXT), CONTEXT)).toBe('ünïcødé 🔑');
  });

  it('does not open a value moved to another row or column, altered, or sealed under another key', () => {
    const box = new SecretBox(fixedKeys([newSecretKey()]));
    const sealed = box.seal('s3cret-value', CONTEXT);
    expect(() => box.open(sealed, 'webhooks.secret#2')).toThrow(/webhooks.secret#2 cannot be read: it was altered or belongs to another row/);
    expect(() => box.open(sealed, 'ci_variables.value#1')).toThrow(/belongs to another row/);
    const last = sealed.at(-2) === 'A' ? 'B' : 'A';
    expect(() => box.open(`${sealed.slice(0, -2)}${last}${sealed.at(-1)}`, CONTEXT)).toThrow(/altered/);
    expect(() => box.open('s3cret-value', CONTEXT)).toThrow(/not a sealed value/);
    const other = new SecretBox(fixedKeys([newSecretKey()]));
    expect(() => other.open(sealed, CONTEXT)).toThrow(new RegExp(`sealed with key ${SecretBox.keyIdOf(sealed)}, which this server does not hold`));
    try {
      box.open(sealed, 'webhooks.secret#2');
    } catch (error) {
      expect((error as Error).message).not.toContain('s3cret');
      expect(error).toMatchObject({ kind: 'unavailable', code: 'SECRET_UNREADABLE' });
    }
  });

  it('keeps several keys: the newest seals, every one opens', () => {
    const old = newSecretKey();
    const next = newSecretKey();
    const before = new SecretBox(fixedKeys([old])).seal('value', CONTEXT);
    const box = new SecretBox(fixedKeys([old, next]));
    expect(box.sealingKey().id).toBe(next.id);
    expect(SecretBox.keyIdOf(box.seal('value', CONTEXT))).toBe(next.id);
    expect(box.open(before, CONTEXT)).toBe('value');
  });
});

describe('MODELYARD_SECRET_KEY', () => {
  it('takes 32 bytes of base64, several separated by commas, the first one sealing', () => {
    const first = newSecretKey();
    const second = newSecretKey();
    const config = loadConfig({ MODELYARD_SECRET_KEY: `${secretKeyText(first)}, ${secretKeyText(second).replace(/\+/g, '-').replace(/\//g, '_').replace(/=$/, '')}` });
    expect(config.secretKeys?.map((k) => k.id)).toEqual([first.id, second.id]);
    const keyring = openKeyring(config);
    expect(keyring.file).toBeNull();
    expect(keyring.box.sealingKey().id).toBe(first.id);
    expect(parseSecretKeyText(secretKeyText(first))?.id).toBe(first.id);
  });

  it('refuses anything else in one line that names the variable and never echoes the value', () => {
    for (const bad of ['too-short-a-key', Buffer.alloc(16, 7).toString('base64'), Buffer.alloc(33, 7).toString('base64'), `${secretKeyText(newSecretKey())},`, '%'.repeat(44)]) {
      let error: unknown;
      try {
        loadConfig({ MODELYARD_SECRET_KEY: bad });
      } catch (e) {
        error = e;
      }
      expect(error, bad).toBeInstanceOf(ConfigError);
      const message = (error as Error).message;
      expect(message).toMatch(/^MODELYARD_SECRET_KEY: must be 32 random bytes in base64/);
      expect(message.split('\n')).toHaveLength(1);
      expect(message).not.toContain(bad.replace(/,$/, ''));
    }
  });
});

describe('logs', () => {
  it('drop secret-bearing fields and headers', async () => {
    let out = '';
    const sink = new Writable({
      write(chunk, _encoding, done) {
        out += String(chunk);
        done();
      },
    });
    const logger = createLogger('info', sink);
    logger.info(
      {
        secret: 'LEAK-1',
        hook: { url: 'https://hooks.example/x', secret: 'LEAK-2' },
        settings: { webhook_secret: 'LEAK-3', repository_url: 'https://oauth2:LEAK-4@git.example/r.git' },
        req: { headers: { 'x-gitlab-token': 'LEAK-5', 'private-token': 'LEAK-6', cookie: 'modelyard_session=LEAK-7' }, body: { value: 'LEAK-8', password: 'LEAK-9' } },
        user: { token: 'LEAK-10' },
      },
      'something happened',
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(out).toContain('something happened');
    expect(out).toContain('https://hooks.example/x');
    expect(out).not.toMatch(/LEAK/);
  });
});
