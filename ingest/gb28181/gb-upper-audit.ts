import type { AuditEventInput } from '../../api/audit/audit-log.ts';
import type { SipPeer } from './sip-transport.ts';

/** What the upper platform did or tried: live play, playback, PTZ, recording queries. */
export type UpperAction = 'play' | 'playback' | 'ptz' | 'records';

/**
 * Audit of what the upper platform does with our shared cameras, in the trail's usual shape: the actor is
 * the upper platform (`gb28181-upper:<its ID>`, no user or department of ours), the target the camera (or,
 * when no camera of ours carries the channel ID, the channel), the action `gb28181.upper.<action>`, refusals
 * with result `denied` and the reason code. The source address is the upper's SIP address.
 */
export class UpperAudit {
  constructor(
    private readonly upperId: string,
    private readonly append: (event: AuditEventInput) => Promise<unknown>,
    private readonly cameraOf: (nationalId: string) => Promise<string | undefined>,
  ) {}

  private base(action: UpperAction, peer: SipPeer) {
    return { action: `gb28181.upper.${action}`, username: `gb28181-upper:${this.upperId}`, clientIp: peer.address };
  }

  async allowed(action: UpperAction, channel: { id: string; cameraId: string }, peer: SipPeer, details: Record<string, unknown> = {}): Promise<void> {
    await this.append({ ...this.base(action, peer), result: 'ok', targetType: 'camera', targetId: channel.cameraId, details: { upperId: this.upperId, channelId: channel.id, ...details } });
  }

  async denied(action: UpperAction, channelId: string, peer: SipPeer, reason: string, cameraId?: string, details: Record<string, unknown> = {}): Promise<void> {
    const camera = cameraId ?? (/^\d{20}$/.test(channelId) ? await this.cameraOf(channelId) : undefined);
    await this.append({
      ...this.base(action, peer), result: 'denied', reason, targetType: camera ? 'camera' : 'gb28181_channel', targetId: camera ?? (channelId.slice(0, 64) || null),
      details: { upperId: this.upperId, channelId: channelId.slice(0, 64), ...details },
    });
  }
}
