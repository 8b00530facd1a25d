import iconv from 'iconv-lite';
import { DomainError } from '../../api/kernel/errors/domain-error.ts';
import { child, children, parseXmlSafely, text as rawText, type XmlNode } from '../onvif/safe-xml.ts';

export type GbCharset = 'GB2312' | 'UTF-8';
export type ManscdpRoot = 'Query' | 'Control' | 'Notify' | 'Response';

/** One MANSCDP document: its root element name and that element. */
export interface Manscdp {
  root: ManscdpRoot;
  cmdType: string;
  sn: string;
  deviceId: string;
  node: XmlNode;
}

export const MANSCDP_CONTENT_TYPE = 'Application/MANSCDP+xml';
const ROOTS: readonly ManscdpRoot[] = ['Query', 'Control', 'Notify', 'Response'];

/**
 * Body bytes to text: a prolog that says UTF-8 is read as UTF-8; GB2312, GBK, GB18030 or no prolog is read
 * as GB18030 (their superset, so rare characters outside GB2312 survive), unless the peer's charset says UTF-8.
 */
export function decodeBody(body: Buffer, peerCharset?: GbCharset): string {
  const prolog = /^\s*<\?xml[^>]*encoding\s*=\s*["']([\w-]+)["']/i.exec(body.subarray(0, 200).toString('latin1'))?.[1]?.toUpperCase();
  const utf8 = prolog ? prolog === 'UTF-8' || prolog === 'UTF8' : peerCharset === 'UTF-8';
  return utf8 ? body.toString('utf8') : iconv.decode(body, 'gb18030');
}

/** Parses a MANSCDP body. Bare `&` (Hikvision) are escaped first. Throws DomainError MANSCDP_INVALID / XML_*. */
export function parseManscdp(body: Buffer, peerCharset?: GbCharset): Manscdp {
  const xml = decodeBody(body, peerCharset).replace(/&(?!(?:amp|lt|gt|quot|apos|#\d{1,7}|#x[0-9a-fA-F]{1,6});)/g, '&amp;');
  const doc = parseXmlSafely(xml, 'MANSCDP body');
  const root = ROOTS.find((name) => doc[name] !== undefined);
  if (!root) throw new DomainError('MANSCDP_INVALID', 'the MANSCDP root is not Query, Control, Notify or Response');
  const node = child(doc, root);
  const cmdType = text(node, 'CmdType');
  if (!cmdType) throw new DomainError('MANSCDP_INVALID', 'the MANSCDP body has no CmdType');
  return { root, cmdType, sn: text(node, 'SN') ?? '', deviceId: text(node, 'DeviceID') ?? '', node };
}

const escapeXml = (value: string) => value.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

/** A flat MANSCDP document (`<Query><CmdType>…</CmdType>…</Query>`) encoded in the peer's charset. */
export function buildManscdp(root: ManscdpRoot, fields: Array<[string, string]>, charset: GbCharset = 'GB2312', trustedXml = ''): Buffer {
  const inner = fields.map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>\r\n`).join('') + trustedXml;
  const xml = `<?xml version="1.0" encoding="${charset}"?>\r\n<${root}>\r\n${inner}</${root}>\r\n`;
  return charset === 'UTF-8' ? Buffer.from(xml, 'utf8') : iconv.encode(xml, 'gb18030');
}

/** The `<Item>`s of a `<DeviceList>` (catalogue) as objects. */
export function listItems(node: XmlNode, list = 'DeviceList'): XmlNode[] {
  return children(child(node, list), 'Item').filter((item): item is XmlNode => typeof item === 'object' && item !== null);
}

/** An element's text with XML entities decoded (the safe parser leaves them as written; it never expands DTD entities). */
export function text(node: unknown, name?: string): string | undefined {
  const raw = rawText(node, name);
  if (raw === undefined || !raw.includes('&')) return raw;
  return raw.replace(/&(amp|lt|gt|quot|apos|#\d{1,7}|#x[0-9a-fA-F]{1,6});/g, (_, entity: string) => {
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (named[entity]) return named[entity];
    const code = entity.startsWith('#x') ? parseInt(entity.slice(2), 16) : Number(entity.slice(1));
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '';
  });
}

export { child };
