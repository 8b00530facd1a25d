import { NS } from './onvif-namespaces.ts';
import { escapeXml } from './safe-xml.ts';

/**
 * SOAP 1.2 bodies of the ONVIF operations the hub uses. The `onvif` npm package (agsh/onvif) was the
 * reference for these shapes, but it is not used at run time: it parses with xml2js (DOCTYPE/entities
 * not refused) and uses its own http requests without a size cap, a total deadline or an origin check
 * on credentials, which are exactly the hostile-device cases this hub must survive.
 */
export function soapEnvelope(body: string, securityHeader = ''): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="${NS.env}" xmlns:tds="${NS.tds}" xmlns:trt="${NS.trt}" ` +
    `xmlns:tptz="${NS.tptz}" xmlns:tt="${NS.tt}">${securityHeader ? `<env:Header>${securityHeader}</env:Header>` : ''}` +
    `<env:Body>${body}</env:Body></env:Envelope>`
  );
}

const token = (name: string, value: string) => `<${name}>${escapeXml(value)}</${name}>`;

export const messages = {
  getSystemDateAndTime: () => '<tds:GetSystemDateAndTime/>',
  getDeviceInformation: () => '<tds:GetDeviceInformation/>',
  getCapabilities: () => '<tds:GetCapabilities><tds:Category>All</tds:Category></tds:GetCapabilities>',
  getServices: () => '<tds:GetServices><tds:IncludeCapability>false</tds:IncludeCapability></tds:GetServices>',
  getProfiles: () => '<trt:GetProfiles/>',
  getStreamUri: (profileToken: string) =>
    '<trt:GetStreamUri><trt:StreamSetup><tt:Stream>RTP-Unicast</tt:Stream><tt:Transport><tt:Protocol>RTSP</tt:Protocol>' +
    `</tt:Transport></trt:StreamSetup>${token('trt:ProfileToken', profileToken)}</trt:GetStreamUri>`,
  getSnapshotUri: (profileToken: string) => `<trt:GetSnapshotUri>${token('trt:ProfileToken', profileToken)}</trt:GetSnapshotUri>`,
  continuousMove: (profileToken: string, pan: number, tilt: number, zoom: number, timeoutMs: number) =>
    `<tptz:ContinuousMove>${token('tptz:ProfileToken', profileToken)}<tptz:Velocity>` +
    `<tt:PanTilt x="${pan}" y="${tilt}"/><tt:Zoom x="${zoom}"/></tptz:Velocity>` +
    `<tptz:Timeout>PT${(timeoutMs / 1000).toFixed(3).replace(/\.?0+$/, '')}S</tptz:Timeout></tptz:ContinuousMove>`,
  stop: (profileToken: string) =>
    `<tptz:Stop>${token('tptz:ProfileToken', profileToken)}<tptz:PanTilt>true</tptz:PanTilt><tptz:Zoom>true</tptz:Zoom></tptz:Stop>`,
  getPresets: (profileToken: string) => `<tptz:GetPresets>${token('tptz:ProfileToken', profileToken)}</tptz:GetPresets>`,
  gotoPreset: (profileToken: string, presetToken: string) =>
    `<tptz:GotoPreset>${token('tptz:ProfileToken', profileToken)}${token('tptz:PresetToken', presetToken)}</tptz:GotoPreset>`,
};
