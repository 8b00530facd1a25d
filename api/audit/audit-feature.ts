import type { HubContext } from '../hub/hub-context.ts';
import type { HubFeature } from '../kernel/hub-feature.ts';
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
      startupCheck = verifyAuditChain(ctx.db).then((result) => {
        if (!result.ok) ctx.log.error({ brokenAt: result.brokenAt, checked: result.checked }, 'audit trail verification FAILED; run npm run audit:verify');
      }, (error: Error) => ctx.log.warn({ err: error }, 'audit trail verification could not run'));
    },
    async stop() {
      await startupCheck;
    },
  };
}
