// Access notifications are stored with an English sentence built by the server (api/access/request-service.ts,
// grant-service.ts). The sentence's shape is fixed per kind; this reads the parts that vary (who, why, how long)
// back out so the player can say it in the user's language. A sentence of another shape is shown as it is.
// test/player/notification-words.test.ts checks these shapes against the server's templates.
const SHAPES = {
  'request.created': [/^(?<user>.+?) asks for access to your cameras: (?<purpose>[\s\S]*)$/],
  'request.approved': [/^Your access request was approved(?<narrowed> \(narrowed\))?$/],
  'request.rejected': [/^Your access request was rejected: (?<reason>[\s\S]*)$/],
  'request.cancelled': [/^(?<user>.+?) withdrew an access request$/],
  'grant.revoked': [/^Access to cameras of the owner department was revoked: (?<reason>[\s\S]*)$/],
  'grant.emergency': [/^Emergency access taken by (?<user>.+?) for (?<minutes>\d+) min: (?<reason>[\s\S]*)\. Review it\.$/],
  'grant.reviewed': [/^Your emergency access was reviewed: (?<outcome>upheld|revoke)(?: \((?<note>[\s\S]*)\))?$/],
  'grant.expired': [/^Your access to cameras of another department has ended$/],
};

/** { key, params } for t() (key under the `notices` namespace), or null when the sentence has an unknown shape. */
export function noticeWords(kind, message) {
  for (const shape of SHAPES[kind] ?? []) {
    const match = shape.exec(message ?? '');
    if (!match) continue;
    const params = { ...(match.groups ?? {}) };
    let key = kind.replace('.', '_');
    if (kind === 'request.approved' && params.narrowed) key += '_narrowed';
    if (kind === 'grant.reviewed') key += params.outcome === 'upheld' ? '_upheld' : '_revoked';
    if (kind === 'grant.reviewed' && params.note) key += '_note';
    return { key: `notices.${key}`, params };
  }
  return null;
}
