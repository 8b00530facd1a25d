import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ensurePrivateDirSync } from '../kernel/fs/private-files.ts';

export interface DemoSecrets {
  tokenSecret: string;
  encryptionKey: string;
}

/**
 * The demo runs without any set-up, yet never on a default secret: random secrets are generated on the
 * first demo run and kept (mode 0600) in <dataDir>/secrets.json so that stored credentials stay readable.
 */
export function demoSecrets(dataDir: string): DemoSecrets {
  const file = resolve(dataDir, 'secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as DemoSecrets;
  ensurePrivateDirSync(resolve(dataDir));
  const secrets: DemoSecrets = {
    tokenSecret: randomBytes(32).toString('base64url'),
    encryptionKey: randomBytes(32).toString('base64url'),
  };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}
