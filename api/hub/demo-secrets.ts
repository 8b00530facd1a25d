import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ensurePrivateDirSync } from '../kernel/fs/private-files.ts';

export interface DemoSecrets {
  tokenSecret: string;
  encryptionKey: string;
  auditChainKey: string;
}

/**
 * The demo runs without any set-up, yet never on a default secret: random secrets are generated on the
 * first demo run and kept (mode 0600) in <dataDir>/secrets.json so that stored credentials stay readable.
 */
export function demoSecrets(dataDir: string): DemoSecrets {
  const file = resolve(dataDir, 'secrets.json');
  const kept = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<DemoSecrets>) : undefined;
  // A secrets file from before the audit key gets one added (its other secrets are kept).
  if (kept?.tokenSecret && kept.encryptionKey && kept.auditChainKey) return kept as DemoSecrets;
  ensurePrivateDirSync(resolve(dataDir));
  const secrets: DemoSecrets = {
    tokenSecret: kept?.tokenSecret ?? randomBytes(32).toString('base64url'),
    encryptionKey: kept?.encryptionKey ?? randomBytes(32).toString('base64url'),
    auditChainKey: randomBytes(32).toString('base64url'),
  };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}
