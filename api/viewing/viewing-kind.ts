/** A refusal of one kind of session: its stable code and its words. */
export interface Refusal {
  code: string;
  message: string;
}

/** The limits of one kind of session, read from its feature's config. */
export interface ViewingLimits {
  maxSessionsPerUser: number;
  tokenTtlSeconds: number;
  tokenGraceSeconds: number;
  viewerIdleSeconds: number;
}

/**
 * What tells live play and playback apart for the one session mechanism (ViewingSessions): the token
 * audience, the claim a media request is matched on, the audit actions and each refusal's code and words.
 * Everything else (limits, tokens, renewal, binding, revocation, sweeping) is the same code for both.
 */
export interface ViewingKind {
  /** Used in logs ("relay", "playback"). */
  name: string;
  audience: string;
  /** The claim a media request's path names: the camera (live) or the session (playback). */
  mediaClaim: 'cam' | 'sid';
  audit: { start: string; stop: string };
  /** `limit` gets the count of the user's open sessions. */
  refusals: {
    limit: (open: number) => Refusal;
    notFound: Refusal;
    tokenRequired: Refusal;
    tokenExpired: Refusal;
    tokenInvalid: Refusal;
    tokenWithoutSession: Refusal;
    mismatch: Refusal;
    ended: Refusal;
    binding: Refusal;
    superseded: Refusal;
  };
}
