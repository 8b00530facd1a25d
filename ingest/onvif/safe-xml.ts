import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { DomainError } from '../../api/kernel/errors/domain-error.ts';

export type XmlNode = Record<string, unknown>;

// Namespace prefixes are dropped (devices use any prefix they like); entities are never expanded.
const parser = new XMLParser({ ignoreAttributes: false, removeNSPrefix: true, processEntities: false, parseTagValue: false, trimValues: true });

/**
 * Parses XML from a device or a discovery reply. Any DOCTYPE or ENTITY declaration is refused before the
 * parser sees the text (entity expansion, external entities); malformed XML is refused too, since
 * fast-xml-parser alone is lenient about it. Throws DomainError XML_DOCTYPE_REFUSED / XML_MALFORMED.
 */
export function parseXmlSafely(xml: string, what = 'device reply'): XmlNode {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) {
    throw new DomainError('XML_DOCTYPE_REFUSED', `${what} contains a DOCTYPE or ENTITY declaration; refused`);
  }
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw new DomainError('XML_MALFORMED', `${what} is not well-formed XML (${valid.err.msg.slice(0, 120)}, line ${valid.err.line})`);
  }
  try {
    return parser.parse(xml) as XmlNode;
  } catch (cause) {
    throw new DomainError('XML_MALFORMED', `${what} is not well-formed XML`, { cause });
  }
}

/** A child element as an object (empty elements become {}); the first one when repeated. */
export function child(node: unknown, name: string): XmlNode {
  const value = node && typeof node === 'object' ? (node as XmlNode)[name] : undefined;
  const first = Array.isArray(value) ? value[0] : value;
  return first && typeof first === 'object' ? (first as XmlNode) : {};
}

/** All children of that name, as objects or strings. */
export function children(node: unknown, name: string): unknown[] {
  const value = node && typeof node === 'object' ? (node as XmlNode)[name] : undefined;
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Follows a path of element names: path(envelope, 'Body', 'GetProfilesResponse'). */
export function path(node: unknown, ...names: string[]): XmlNode {
  return names.reduce<XmlNode>((current, name) => child(current, name), node as XmlNode);
}

/** The text of a node or of a named child, with or without attributes. */
export function text(node: unknown, name?: string): string | undefined {
  const value = name === undefined ? node : node && typeof node === 'object' ? (node as XmlNode)[name] : undefined;
  const first = Array.isArray(value) ? value[0] : value;
  if (typeof first === 'string') return first;
  if (first && typeof first === 'object' && typeof (first as XmlNode)['#text'] === 'string') return (first as XmlNode)['#text'] as string;
  return undefined;
}

export function attribute(node: unknown, name: string): string | undefined {
  const value = node && typeof node === 'object' ? (node as XmlNode)[`@_${name}`] : undefined;
  return typeof value === 'string' ? value : undefined;
}

export const escapeXml = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
