import { createSecretKey, type KeyObject } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { unauthorized } from '../errors/hub-error.ts';
import type { Role } from '../db/tables/index.ts';

export interface AuthUser {
  id: string;
  username: string;
  departmentId: string;
  role: Role;
  dutyOfficer: boolean;
}

const ALGORITHM = 'HS256';

/**
 * Short-lived HS256 access tokens. Verification pins the algorithm (no `alg: none`, no key confusion),
 * the issuer and the audience, and requires an expiry.
 */
export class TokenService {
  private readonly key: KeyObject;

  constructor(secret: string, private readonly issuer: string, private readonly ttlSeconds: number) {
    this.key = createSecretKey(Buffer.from(secret, 'utf8'));
  }

  async issue(user: AuthUser, audience = 'api', ttlSeconds = this.ttlSeconds, extra: Record<string, unknown> = {}): Promise<{ token: string; expiresAt: number }> {
    const expiresAt = Math.floor(Date.now() / 1000) + ttlSeconds;
    const token = await new SignJWT({ ...extra, name: user.username, dept: user.departmentId, role: user.role, duty: user.dutyOfficer })
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
      .setSubject(user.id)
      .setIssuer(this.issuer)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime(expiresAt)
      .sign(this.key);
    return { token, expiresAt: expiresAt * 1000 };
  }

  async verify(token: string, audience = 'api'): Promise<AuthUser & { claims: Record<string, unknown> }> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: [ALGORITHM],
        issuer: this.issuer,
        audience,
        requiredClaims: ['exp', 'sub', 'iat'],
      });
      if (typeof payload.sub !== 'string' || typeof payload.dept !== 'string' || typeof payload.role !== 'string') {
        throw unauthorized('TOKEN_INVALID', 'access token lacks required claims');
      }
      return {
        id: payload.sub,
        username: String(payload.name ?? ''),
        departmentId: payload.dept,
        role: payload.role as Role,
        dutyOfficer: payload.duty === true,
        claims: payload as Record<string, unknown>,
      };
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw unauthorized('TOKEN_EXPIRED', 'access token has expired; log in again');
      if (error instanceof Error && error.name === 'HubError') throw error;
      throw unauthorized('TOKEN_INVALID', 'access token is invalid');
    }
  }
}
