import type { Config } from '../config/config.ts';
import { KeyringFile } from './keyring-file.ts';
import { fixedKeys, SecretBox } from './secret-box.ts';

/** The box every service seals with, and the key file behind it when there is one. */
export interface Keyring {
  box: SecretBox;
  /** null when the keys come from MODELYARD_SECRET_KEY. */
  file: KeyringFile | null;
}

/**
 * MODELYARD_SECRET_KEY when set (its first key seals), else the key file in the data folder,
 * made at the first start. Several replicas must share the keys: the variable, or one mounted file.
 */
export function openKeyring(config: Pick<Config, 'secretKeys' | 'dataDir'>): Keyring {
  if (config.secretKeys) return { box: new SecretBox(fixedKeys([...config.secretKeys].reverse())), file: null };
  const file = KeyringFile.openOrCreate(config.dataDir);
  return { box: new SecretBox(file), file };
}
