import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KEY_FILE_NAME, KeyringFile } from '../../src/secrets/keyring-file.ts';
import { SecretBox } from '../../src/secrets/secret-box.ts';
import { ConfigError } from '../../src/config/config.ts';

let dataDir: string;
beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelyard-keyring-'));
});
afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

const CONTEXT = 'ci_variables.value#3';

describe('the key file', () => {
  it('is made at the first start with one key, readable by its owner only, and read again at the next', () => {
    const first = KeyringFile.openOrCreate(path.join(dataDir, 'fresh'));
    const file = path.join(dataDir, 'fresh', KEY_FILE_NAME);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(first.keys()).toHaveLength(1);
    const again = KeyringFile.openOrCreate(path.join(dataDir, 'fresh'));
    expect(again.keys().map((k) => k.id)).toEqual(first.keys().map((k) => k.id));
    expect(fs.readdirSync(path.join(dataDir, 'fresh'))).toEqual([KEY_FILE_NAME]);
  });

  it('refuses to start when group or others may read it, saying how to fix it', () => {
    KeyringFile.openOrCreate(dataDir);
    const file = path.join(dataDir, KEY_FILE_NAME);
    for (const mode of [0o644, 0o640, 0o604, 0o660]) {
      fs.chmodSync(file, mode);
      expect(() => KeyringFile.openOrCreate(dataDir)).toThrow(ConfigError);
      expect(() => KeyringFile.openOrCreate(dataDir)).toThrow(`chmod 600 ${file}`);
    }
    fs.chmodSync(file, 0o600);
    expect(() => KeyringFile.openOrCreate(dataDir)).not.toThrow();
  });

  it('refuses a damaged file instead of making a new key over it', () => {
    const file = path.join(dataDir, KEY_FILE_NAME);
    fs.writeFileSync(file, '{"format":1,"keys":[{"id":"0000000000000000","key":"c2hvcnQ="}]}', { mode: 0o600 });
    expect(() => KeyringFile.openOrCreate(dataDir)).toThrow(/damaged \(key 1 is not 32 bytes of base64\)/);
    expect(fs.readFileSync(file, 'utf8')).toContain('c2hvcnQ=');
  });

  it('adds keys that seal from then on, keeps the old ones until told, and another process sees the change', () => {
    const server = KeyringFile.openOrCreate(dataDir);
    const serverBox = new SecretBox(server);
    const before = serverBox.seal('value', CONTEXT);
    const cli = KeyringFile.openOrCreate(dataDir);
    const added = cli.add();
    const cliBox = new SecretBox(cli);
    const after = cliBox.seal('value', CONTEXT);
    expect(SecretBox.keyIdOf(after)).toBe(added.id);
    // The running server opens what the rotation sealed, and seals with the new key too.
    expect(serverBox.open(after, CONTEXT)).toBe('value');
    expect(SecretBox.keyIdOf(serverBox.seal('value', CONTEXT))).toBe(added.id);
    expect(cliBox.open(before, CONTEXT)).toBe('value');
    expect(fs.statSync(path.join(dataDir, KEY_FILE_NAME)).mode & 0o777).toBe(0o600);

    const removed = cli.retainOnly(new Set());
    expect(removed.map((k) => k.id)).toEqual([SecretBox.keyIdOf(before)]);
    expect(cli.keys().map((k) => k.id)).toEqual([added.id]);
    cli.restore(removed);
    expect(cli.keys().map((k) => k.id)).toEqual([SecretBox.keyIdOf(before), added.id]);
    expect(cliBox.sealingKey().id).toBe(added.id);
  });

  it('lets one rotation change it at a time', () => {
    const keyring = KeyringFile.openOrCreate(dataDir);
    fs.writeFileSync(`${keyring.file}.lock`, '');
    expect(() => keyring.add()).toThrow(/another process is changing the key file/);
    expect(keyring.keys()).toHaveLength(1);
  });
});
