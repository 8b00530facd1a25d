import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HubError } from '../../api/kernel/errors/hub-error.ts';
import { parseTargets } from '../../ingest/discovery/discovery-targets.ts';
import { digestAuthorization, parseDigestChallenge } from '../../ingest/onvif/http-digest.ts';
import { parseXmlSafely } from '../../ingest/onvif/safe-xml.ts';
import { parseCsv } from '../../ingest/registry/csv-import.ts';
import { parseProbeMatches } from '../../ingest/discovery/probe-match.ts';

const codeOf = (fn: () => unknown) => {
  try { fn(); return 'ok'; } catch (error) { return (error as HubError).code; }
};

describe('discovery targets', () => {
  it('expands hosts, host:port and CIDR ranges', () => {
    expect(parseTargets(['10.0.0.7', 'cam.local:3703'])).toEqual([{ host: '10.0.0.7', port: 3702 }, { host: 'cam.local', port: 3703 }]);
    expect(parseTargets(['127.0.0.0/30']).map((t) => t.host)).toEqual(['127.0.0.0', '127.0.0.1', '127.0.0.2', '127.0.0.3']);
    expect(parseTargets(['192.168.1.77/31:4000'])).toEqual([{ host: '192.168.1.76', port: 4000 }, { host: '192.168.1.77', port: 4000 }]);
    expect(parseTargets(['10.0.0.1', '10.0.0.1'])).toHaveLength(1);
  });
  it('refuses garbage and over-large ranges', () => {
    for (const bad of ['', 'http://x', '10.0.0.1:99999', '10.0.0.1/33', 'a b', '-p']) expect(codeOf(() => parseTargets([bad])), bad).toBe('DISCOVERY_TARGET_INVALID');
    expect(codeOf(() => parseTargets(['10.0.0.0/16']))).toBe('DISCOVERY_RANGE_TOO_LARGE');
  });
});

describe('hardened XML parsing', () => {
  it('refuses DOCTYPE and ENTITY declarations before parsing', () => {
    expect(codeOf(() => parseXmlSafely('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'))).toBe('XML_DOCTYPE_REFUSED');
    expect(codeOf(() => parseXmlSafely('<x><!ENTITY a SYSTEM "file:///etc/passwd"></x>'))).toBe('XML_DOCTYPE_REFUSED');
    expect(codeOf(() => parseXmlSafely('<a><b></a>'))).toBe('XML_MALFORMED');
    expect(parseXmlSafely('<s:E xmlns:s="urn:x"><s:B k="v">t</s:B></s:E>')).toEqual({ E: { B: { '#text': 't', '@_k': 'v' } } });
  });
});

describe('HTTP/RTSP digest', () => {
  it('answers an RFC 2617 challenge (qop=auth) with the expected response', () => {
    const challenge = parseDigestChallenge('Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41", Basic realm="x"')!;
    expect(challenge).toMatchObject({ realm: 'testrealm@host.com', nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093', opaque: '5ccc069c403ebaf9f0171e9517f40e41' });
    const header = digestAuthorization(challenge, 'GET', '/dir/index.html', 'Mufasa', 'Circle Of Life');
    const cnonce = /cnonce="([^"]+)"/.exec(header)![1]!;
    const md5 = (s: string) => createHash('md5').update(s).digest('hex');
    const expected = md5(`${md5('Mufasa:testrealm@host.com:Circle Of Life')}:dcd98b7102dd2f0e8b11d0f600bfb0c093:00000001:${cnonce}:auth:${md5('GET:/dir/index.html')}`);
    expect(header).toContain(`response="${expected}"`);
    expect(parseDigestChallenge('Basic realm="x"')).toBeUndefined();
  });
});

describe('CSV parsing', () => {
  it('handles quotes, escaped quotes, embedded newlines and CRLF', () => {
    expect(parseCsv('a,b\r\n"x, y","say ""hi"""\n"multi\nline",z\n\n')).toEqual([['a', 'b'], ['x, y', 'say "hi"'], ['multi\nline', 'z']]);
    expect(codeOf(() => parseCsv('a,"b'))).toBe('CSV_MALFORMED');
  });
});

describe('ProbeMatch validation', () => {
  const reply = (relatesTo: string, xaddrs: string, types = 'dn:NetworkVideoTransmitter') =>
    '<?xml version="1.0"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" ' +
    'xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl">' +
    `<s:Header><a:RelatesTo>${relatesTo}</a:RelatesTo></s:Header><s:Body><d:ProbeMatches><d:ProbeMatch>` +
    '<a:EndpointReference><a:Address>urn:uuid:1234</a:Address></a:EndpointReference>' +
    `<d:Types>${types}</d:Types><d:Scopes>onvif://www.onvif.org/name/Gate%20A onvif://www.onvif.org/location/north</d:Scopes>` +
    `<d:XAddrs>${xaddrs}</d:XAddrs></d:ProbeMatch></d:ProbeMatches></s:Body></s:Envelope>`;
  const reason = (fn: () => unknown) => { try { fn(); return 'ok'; } catch (error) { return (error as Error).message; } };

  it('accepts a match from the host its XAddr names', () => {
    const [device] = parseProbeMatches(reply('urn:uuid:probe', 'http://[fe80::1]/x http://10.0.0.5/onvif/device_service'), 'urn:uuid:probe', '10.0.0.5:3702');
    expect(device).toMatchObject({ endpointRef: 'urn:uuid:1234', xaddr: 'http://10.0.0.5/onvif/device_service', name: 'Gate A', locations: ['north'] });
  });

  it('rejects an XAddr on another host, a foreign RelatesTo and non-video devices', () => {
    expect(reason(() => parseProbeMatches(reply('urn:uuid:probe', 'http://169.254.169.254/latest'), 'urn:uuid:probe', '10.0.0.5:3702'))).toMatch(/is not the responding host 10\.0\.0\.5/);
    expect(reason(() => parseProbeMatches(reply('urn:uuid:other', 'http://10.0.0.5/x'), 'urn:uuid:probe', '10.0.0.5:3702'))).toMatch(/does not match our probe/);
    expect(reason(() => parseProbeMatches(reply('urn:uuid:probe', 'http://10.0.0.5/x', 'wsdp:Device'), 'urn:uuid:probe', '10.0.0.5:3702'))).toMatch(/not an ONVIF video device/);
    expect(reason(() => parseProbeMatches(reply('urn:uuid:probe', 'http://user:pw@10.0.0.5/x'), 'urn:uuid:probe', '10.0.0.5:3702'))).toMatch(/without an http\(s\) XAddr/);
  });
});
