import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../config/config.ts';
import type { KeySource } from './secret-box.ts';
import { newSecretKey, parseSecretKeyText, secretKeyText, type SecretKey } from './secret-key.ts';

export const KEY_FILE_NAME = 'secret-keys.json';

interface KeyFileContent {
  format: 1;
  /** Oldest first; the last one seals. */
  keys: { id: string; key: string; created_at: string }[];
}

/** Only the owner may read the key file: anyone who can read it can read every stored secret. */
function assertPrivate(file: string): void {
  if (process.platform === 'win32') return;
  const mode = fs.statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new ConfigError('MODELYARD_SECRET_KEY', `the key file ${file} can be read or written by other users (mode ${mode.toString(8).padStart(4, '0')}); run chmod 600 ${file}`);
  }
}

function parse(file: string, text: string): { keys: SecretKey[]; createdAt: Map<string, string> } {
  const broken = (why: string) => new ConfigError('MODELYARD_SECRET_KEY', `the key file ${file} is damaged (${why}); restore it from your backup`);
  let content: KeyFileContent;
  try {
    content = JSON.parse(text) as KeyFileContent;
  } catch {
    throw broken('not JSON');
  }
  if (content.format !== 1 || !Array.isArray(content.keys) || content.keys.length === 0) throw broken('no keys');
  const keys = content.keys.map((entry, i) => {
    const key = typeof entry.key === 'string' ? parseSecretKeyText(entry.key) : null;
    if (!key) throw broken(`key ${i + 1} is not 32 bytes of base64`);
    if (entry.id !== key.id) throw broken(`key ${i + 1} does not match its id ${String(entry.id)}`);
    return key;
  });
  return { keys, createdAt: new Map(content.keys.map((k) => [k.id, String(k.created_at)])) };
}

function render(keys: readonly SecretKey[], createdAt: ReadonlyMap<string, string>): string {
  const content: KeyFileContent = {
    format: 1,
    keys: keys.map((k) => ({ id: k.id, key: secretKeyText(k), created_at: createdAt.get(k.id) ?? new Date().toISOString() })),
  };
  return `${JSON.stringify(content, null, 2)}\n`;
}

/** Writes a private temporary file next to `file`, flushed to disk; the caller renames or links it. */
function writePrivateTemp(file: string, text: string): string {
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = fs.openSync(temp, 'wx', 0o600);
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return temp;
}

function syncFolder(folder: string): void {
  const fd = fs.openSync(folder, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The keyring in `<data dir>/secret-keys.json`, made at the first start with one key (mode
 * 0600). Every change is a new file renamed over the old one, so a crash leaves either the old
 * or the new keyring, never half of one; keys are added before any value is sealed with them
 * and removed only after no value uses them (src/secrets/rotation.ts).
 */
export class KeyringFile implements KeySource {
  private loaded: SecretKey[] = [];
  private createdAt = new Map<string, string>();
  private stamp = '';

  private constructor(readonly file: string) {}

  static openOrCreate(dataDir: string): KeyringFile {
    const keyring = new KeyringFile(path.join(dataDir, KEY_FILE_NAME));
    if (!fs.existsSync(keyring.file)) keyring.create();
    keyring.load();
    return keyring;
  }

  keys(): readonly SecretKey[] {
    return this.loaded;
  }

  refresh(): void {
    let stamp: string;
    try {
      stamp = KeyringFile.stampOf(fs.statSync(this.file));
    } catch {
      return; // a missing file does not take away the keys in memory
    }
    if (stamp === this.stamp) return;
    try {
      this.load();
    } catch {
      // Start-up refuses a bad key file; a running server keeps the keys it has rather than fail requests.
    }
  }

  /** Adds a key that becomes the sealing key; returns it. */
  add(key: SecretKey = newSecretKey()): SecretKey {
    this.withLock(() => {
      this.load();
      this.createdAt.set(key.id, new Date().toISOString());
      this.replace([...this.loaded.filter((k) => k.id !== key.id), key]);
    });
    return key;
  }

  /** Keeps only the keys named; the sealing key always stays. */
  retainOnly(keep: ReadonlySet<string>): SecretKey[] {
    let removed: SecretKey[] = [];
    this.withLock(() => {
      this.load();
      const sealing = this.loaded[this.loaded.length - 1]!;
      removed = this.loaded.filter((k) => k.id !== sealing.id && !keep.has(k.id));
      if (removed.length > 0) this.replace(this.loaded.filter((k) => !removed.includes(k)));
    });
    return removed;
  }

  /** Puts back keys (oldest first) that a removal took away too early; the sealing key stays the sealing key. */
  restore(keys: readonly SecretKey[]): void {
    if (keys.length === 0) return;
    this.withLock(() => {
      this.load();
      const held = new Set(this.loaded.map((k) => k.id));
      this.replace([...keys.filter((k) => !held.has(k.id)), ...this.loaded]);
    });
  }

  private load(): void {
    assertPrivate(this.file);
    const stat = fs.statSync(this.file);
    const { keys, createdAt } = parse(this.file, fs.readFileSync(this.file, 'utf8'));
    this.loaded = keys;
    this.createdAt = createdAt;
    this.stamp = KeyringFile.stampOf(stat);
  }

  /** The first start: link (not rename) so that two servers starting at once keep the first file. */
  private create(): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const key = newSecretKey();
    const temp = writePrivateTemp(this.file, render([key], new Map([[key.id, new Date().toISOString()]])));
    try {
      fs.linkSync(temp, this.file);
      syncFolder(path.dirname(this.file));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      fs.rmSync(temp, { force: true });
    }
  }

  private replace(keys: SecretKey[]): void {
    const temp = writePrivateTemp(this.file, render(keys, this.createdAt));
    fs.renameSync(temp, this.file);
    syncFolder(path.dirname(this.file));
    this.load();
  }

  /** Two rotations at once would each rewrite the file from what they read; one would lose the other's key. */
  private withLock(work: () => void): void {
    const lock = `${this.file}.lock`;
    let fd: number;
    try {
      fd = fs.openSync(lock, 'wx', 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new Error(`another process is changing the key file (${lock} exists); remove that file if no rotation is running`, { cause: error });
      }
      throw error;
    }
    try {
      work();
    } finally {
      fs.closeSync(fd);
      fs.rmSync(lock, { force: true });
    }
  }

  private static stampOf(stat: fs.Stats): string {
    return `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
  }
}
