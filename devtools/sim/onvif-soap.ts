import { XMLParser } from 'fast-xml-parser';
import { NS } from '../../ingest/onvif/onvif-namespaces.ts';
import { child, escapeXml, type XmlNode } from '../../ingest/onvif/safe-xml.ts';

// The namespace list and the pure XML helpers are the product's own (none of the hub's client logic).
export { attribute, child, escapeXml, text, type XmlNode } from '../../ingest/onvif/safe-xml.ts';

const NAMESPACE_DECLARATIONS = Object.entries(NS)
  .map(([prefix, uri]) => `xmlns:${prefix}="${uri}"`)
  .join(' ');

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
