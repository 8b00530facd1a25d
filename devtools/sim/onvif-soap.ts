import { XMLParser } from 'fast-xml-parser';

export const NS = {
  env: 'http://www.w3.org/2003/05/soap-envelope',
  tds: 'http://www.onvif.org/ver10/device/wsdl',
  trt: 'http://www.onvif.org/ver10/media/wsdl',
  tptz: 'http://www.onvif.org/ver20/ptz/wsdl',
  tt: 'http://www.onvif.org/ver10/schema',
  ter: 'http://www.onvif.org/ver10/error',
  wsa: 'http://schemas.xmlsoap.org/ws/2004/08/addressing',
  d: 'http://schemas.xmlsoap.org/ws/2005/04/discovery',
  dn: 'http://www.onvif.org/ver10/network/wsdl',
} as const;

const NAMESPACE_DECLARATIONS = Object.entries(NS)
  .map(([prefix, uri]) => `xmlns:${prefix}="${uri}"`)
  .join(' ');

export const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

/** A SOAP 1.2 envelope declaring every prefix used by the simulator. */
export function envelope(body: string, header = ''): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<env:Envelope ${NAMESPACE_DECLARATIONS}>` +
    `${header ? `<env:Header>${header}</env:Header>` : ''}<env:Body>${body}</env:Body></env:Envelope>`
  );
}

export class SoapFault extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: 'env:Sender' | 'env:Receiver',
    readonly subcodes: string[],
    readonly reason: string,
  ) {
    super(reason);
  }

  toXml(): string {
    // Subcodes nest: ter:InvalidArgVal > ter:NoProfile.
    const subcodes = this.subcodes.reduceRight((inner, value) => `<env:Subcode><env:Value>${value}</env:Value>${inner}</env:Subcode>`, '');
    return envelope(
      `<env:Fault><env:Code><env:Value>${this.code}</env:Value>${subcodes}</env:Code>` +
        `<env:Reason><env:Text xml:lang="en">${escapeXml(this.reason)}</env:Text></env:Reason></env:Fault>`,
    );
  }
}

export const notAuthorized = (status: number) => new SoapFault(status, 'env:Sender', ['ter:NotAuthorized'], 'Sender not Authorized');

// Entities are left unexpanded: the simulator parses whatever a client under test sends.
const parser = new XMLParser({ ignoreAttributes: false, removeNSPrefix: true, processEntities: false, parseTagValue: false, trimValues: true });

export type XmlNode = Record<string, unknown>;

export interface SoapRequest {
  header: XmlNode;
  operation: string;
  args: XmlNode;
}

/** Parses a SOAP envelope into its header and the first element of its body. Throws SoapFault when it is not one. */
export function parseSoapRequest(xml: string): SoapRequest {
  let document: XmlNode;
  try {
    document = parser.parse(xml, true) as XmlNode;
  } catch (cause) {
    throw new SoapFault(400, 'env:Sender', ['ter:WellFormed'], `request is not well-formed XML: ${String(cause).slice(0, 120)}`);
  }
  const env = child(document, 'Envelope');
  const body = child(env, 'Body');
  const operation = Object.keys(body).find((key) => !key.startsWith('@_') && key !== '#text');
  if (!operation) throw new SoapFault(400, 'env:Sender', ['ter:WellFormed'], 'SOAP body is empty');
  return { header: child(env, 'Header'), operation, args: child(body, operation) };
}

/** A child element as an object ('' for empty elements becomes {}). */
export function child(node: unknown, name: string): XmlNode {
  const value = node && typeof node === 'object' ? (node as XmlNode)[name] : undefined;
  const first = Array.isArray(value) ? value[0] : value;
  return first && typeof first === 'object' ? (first as XmlNode) : {};
}

/** The text of a child element, with or without attributes. */
export function text(node: unknown, name: string): string | undefined {
  const value = node && typeof node === 'object' ? (node as XmlNode)[name] : undefined;
  const first = Array.isArray(value) ? value[0] : value;
  if (typeof first === 'string') return first;
  if (first && typeof first === 'object' && typeof (first as XmlNode)['#text'] === 'string') return (first as XmlNode)['#text'] as string;
  return undefined;
}

export function attribute(node: unknown, name: string): string | undefined {
  const value = node && typeof node === 'object' ? (node as XmlNode)[`@_${name}`] : undefined;
  return typeof value === 'string' ? value : undefined;
}
