import type { HubContext } from '../hub/hub-context.ts';
import type { HubFeature } from '../kernel/hub-feature.ts';
import { checkpointFileOf, readCheckpoints } from './audit-checkpoints.ts';
import { AuditQuery } from './audit-query.ts';
import { registerAuditRoutes } from './audit-routes.ts';
import { verifyAuditChain } from './audit-verifier.ts';

/** The auditor's side of the trail (search, export, queries); the writing side is ctx.audit. */
export function createAuditFeature(ctx: HubContext): HubFeature {
  const query = new AuditQuery(ctx.db, ctx.cameras);
  let startupCheck: Promise<void> = Promise.resolve();
  return {
    name: 'audit',
    registerRoutes(app) {
      registerAuditRoutes(app, ctx, query);
    },
    async start() {
      // A broken chain is reported after start-up, in the background (a long trail must not delay start,
      // and the hub keeps recording either way).
      startupCheck = (async () => {
        const published = await readCheckpoints(checkpointFileOf(ctx.dataDir), ctx.audit.keys);
        if (published?.forged.length) ctx.log.error({ lines: published.forged }, 'audit checkpoint file holds lines whose HMAC does not verify');
        const result = await verifyAuditChain(ctx.db, 5_000, { keys: ctx.audit.keys, checkpoints: published?.checkpoints });
        if (!result.ok) ctx.log.error({ brokenAt: result.brokenAt, checked: result.checked }, 'audit trail verification FAILED; run npm run audit:verify');
      })().catch((error: Error) => ctx.log.warn({ err: error }, 'audit trail verification could not run'));
    },
    async stop() {
      await startupCheck;
    },
  };
}
