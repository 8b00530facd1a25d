/** A picture refused for the data's own sake (the code is a DomainError code of the intake). */
export class PictureRefusal extends Error {
  constructor(readonly code: 'VIID_IMAGE_TOO_LARGE' | 'VIID_IMAGE_INVALID', message: string) {
    super(message);
  }
}

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** Decoded length of a compact base64 text (padding counted off). */
function decodedLength(text: string): number {
  let padding = 0;
  if (text.endsWith('==')) padding = 2;
  else if (text.endsWith('=')) padding = 1;
  return Math.floor((text.length * 3) / 4) - padding;
}

/**
 * The bytes of an inline picture (`Data`, optionally a `data:` URL). Its size is checked on the text, so a
 * 30 MB picture or a base64 bomb is refused before a byte is decoded. The common case (compact standard
 * base64) is decoded without a regular expression over the text: Node's decoder skips characters outside
 * the alphabet, so a decoded length equal to the text's proves the text was clean; only otherwise is the
 * text examined. Throws PictureRefusal.
 */
export function decodeBase64Picture(data: string, maxBytes: number): Buffer {
  const body = data.startsWith('data:') ? data.slice(data.indexOf(',') + 1) : data;
  if (Math.floor((body.length * 3) / 4) > maxBytes) throw new PictureRefusal('VIID_IMAGE_TOO_LARGE', `a picture may be at most ${maxBytes} bytes`);
  let bytes = Buffer.from(body, 'base64');
  if (bytes.length !== decodedLength(body) || body.length % 4 !== 0) {
    const compact = /\s/.test(body) ? body.replace(/\s+/g, '') : body;
    if (!BASE64.test(compact)) throw new PictureRefusal('VIID_IMAGE_INVALID', 'Data is not base64');
    bytes = Buffer.from(compact, compact.includes('-') || compact.includes('_') ? 'base64url' : 'base64');
  }
  if (bytes.length === 0) throw new PictureRefusal('VIID_IMAGE_INVALID', 'Data is empty');
  return bytes;
}
