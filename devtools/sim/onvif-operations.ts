import { attribute, child, envelope, escapeXml as x, SoapFault, text, type XmlNode } from './onvif-soap.ts';

export interface SimProfile {
  token: string;
  name: string;
  rtspUrl: string;
  width: number;
  height: number;
  fps: number;
}

export interface SimDeviceModel {
  name: string;
  hardware: string;
  serialNumber: string;
  xaddrs: { device: string; media: string; ptz: string };
  snapshotUrl: (profileToken: string) => string;
  profiles: SimProfile[];
  presets: Array<{ token: string; name: string }>;
  /** The device clock (may be skewed on purpose). */
  now: () => number;
}

export interface PtzCall {
  op: string;
  args: unknown;
}

/** Operations ONVIF Core allows before authentication (access class PRE_AUTH). */
export const PRE_AUTH_OPERATIONS = new Set(['GetSystemDateAndTime', 'GetServices', 'GetServiceCapabilities', 'GetWsdlUrl', 'GetEndpointReference']);

/** The SOAP response of one operation; throws SoapFault for unknown tokens and operations. */
export function runOperation(device: SimDeviceModel, operation: string, args: XmlNode, ptzCalls: PtzCall[]): string {
  switch (operation) {
    case 'GetSystemDateAndTime':
      return envelope(systemDateAndTime(new Date(device.now())));
    case 'GetDeviceInformation':
      return envelope(
        `<tds:GetDeviceInformationResponse><tds:Manufacturer>SimCam</tds:Manufacturer><tds:Model>${x(device.hardware)}</tds:Model>` +
          `<tds:FirmwareVersion>1.0.0-sim</tds:FirmwareVersion><tds:SerialNumber>${x(device.serialNumber)}</tds:SerialNumber>` +
          `<tds:HardwareId>${x(device.hardware)}</tds:HardwareId></tds:GetDeviceInformationResponse>`,
      );
    case 'GetCapabilities':
      return envelope(`<tds:GetCapabilitiesResponse>${capabilities(device)}</tds:GetCapabilitiesResponse>`);
    case 'GetServices':
      return envelope(`<tds:GetServicesResponse>${services(device)}</tds:GetServicesResponse>`);
    case 'GetProfiles':
      return envelope(`<trt:GetProfilesResponse>${device.profiles.map((p) => profileXml('trt:Profiles', p)).join('')}</trt:GetProfilesResponse>`);
    case 'GetProfile':
      return envelope(`<trt:GetProfileResponse>${profileXml('trt:Profile', findProfile(device, args))}</trt:GetProfileResponse>`);
    case 'GetVideoSources': {
      const main = device.profiles[0]!;
      return envelope(
        `<trt:GetVideoSourcesResponse><trt:VideoSources token="vs0"><tt:Framerate>${main.fps}</tt:Framerate>` +
          `<tt:Resolution><tt:Width>${main.width}</tt:Width><tt:Height>${main.height}</tt:Height></tt:Resolution></trt:VideoSources></trt:GetVideoSourcesResponse>`,
      );
    }
    case 'GetStreamUri':
      return envelope(`<trt:GetStreamUriResponse>${mediaUri(findProfile(device, args).rtspUrl)}</trt:GetStreamUriResponse>`);
    case 'GetSnapshotUri':
      return envelope(`<trt:GetSnapshotUriResponse>${mediaUri(device.snapshotUrl(findProfile(device, args).token))}</trt:GetSnapshotUriResponse>`);
    case 'ContinuousMove': {
      const velocity = child(args, 'Velocity');
      const panTilt = child(velocity, 'PanTilt');
      const move = {
        profileToken: findProfile(device, args).token,
        pan: Number(attribute(panTilt, 'x') ?? 0),
        tilt: Number(attribute(panTilt, 'y') ?? 0),
        zoom: Number(attribute(child(velocity, 'Zoom'), 'x') ?? 0),
        timeout: text(args, 'Timeout') ?? null,
      };
      if (![move.pan, move.tilt, move.zoom].every((v) => Number.isFinite(v) && v >= -1 && v <= 1)) {
        throw new SoapFault(400, 'env:Sender', ['ter:InvalidArgVal', 'ter:InvalidVelocity'], 'velocity outside [-1, 1]');
      }
      ptzCalls.push({ op: 'ContinuousMove', args: move });
      return envelope('<tptz:ContinuousMoveResponse/>');
    }
    case 'Stop': {
      const stop = {
        profileToken: findProfile(device, args).token,
        panTilt: text(args, 'PanTilt') !== 'false',
        zoom: text(args, 'Zoom') !== 'false',
      };
      ptzCalls.push({ op: 'Stop', args: stop });
      return envelope('<tptz:StopResponse/>');
    }
    case 'GetPresets': {
      findProfile(device, args);
      const presets = device.presets.map((p) => `<tptz:Preset token="${x(p.token)}"><tt:Name>${x(p.name)}</tt:Name></tptz:Preset>`);
      return envelope(`<tptz:GetPresetsResponse>${presets.join('')}</tptz:GetPresetsResponse>`);
    }
    case 'GotoPreset': {
      const profileToken = findProfile(device, args).token;
      const presetToken = text(args, 'PresetToken') ?? '';
      if (!device.presets.some((p) => p.token === presetToken)) {
        throw new SoapFault(400, 'env:Sender', ['ter:InvalidArgVal', 'ter:NoToken'], `no preset ${presetToken}`);
      }
      ptzCalls.push({ op: 'GotoPreset', args: { profileToken, presetToken } });
      return envelope('<tptz:GotoPresetResponse/>');
    }
    default:
      throw new SoapFault(400, 'env:Receiver', ['ter:ActionNotSupported'], `operation ${operation} is not supported`);
  }
}

function findProfile(device: SimDeviceModel, args: XmlNode): SimProfile {
  const token = text(args, 'ProfileToken');
  const profile = device.profiles.find((p) => p.token === token);
  if (!profile) throw new SoapFault(400, 'env:Sender', ['ter:InvalidArgVal', 'ter:NoProfile'], `no profile ${token ?? '(none)'}`);
  return profile;
}

function systemDateAndTime(now: Date): string {
  return (
    '<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>NTP</tt:DateTimeType>' +
    '<tt:DaylightSavings>false</tt:DaylightSavings><tt:TimeZone><tt:TZ>UTC0</tt:TZ></tt:TimeZone><tt:UTCDateTime>' +
    `<tt:Time><tt:Hour>${now.getUTCHours()}</tt:Hour><tt:Minute>${now.getUTCMinutes()}</tt:Minute><tt:Second>${now.getUTCSeconds()}</tt:Second></tt:Time>` +
    `<tt:Date><tt:Year>${now.getUTCFullYear()}</tt:Year><tt:Month>${now.getUTCMonth() + 1}</tt:Month><tt:Day>${now.getUTCDate()}</tt:Day></tt:Date>` +
    '</tt:UTCDateTime></tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>'
  );
}

function capabilities({ xaddrs }: SimDeviceModel): string {
  return (
    `<tds:Capabilities><tt:Device><tt:XAddr>${x(xaddrs.device)}</tt:XAddr>` +
    '<tt:System><tt:DiscoveryResolve>false</tt:DiscoveryResolve><tt:DiscoveryBye>false</tt:DiscoveryBye>' +
    '<tt:RemoteDiscovery>false</tt:RemoteDiscovery><tt:SystemBackup>false</tt:SystemBackup><tt:SystemLogging>false</tt:SystemLogging>' +
    '<tt:FirmwareUpgrade>false</tt:FirmwareUpgrade><tt:SupportedVersions><tt:Major>2</tt:Major><tt:Minor>60</tt:Minor></tt:SupportedVersions></tt:System>' +
    `</tt:Device><tt:Media><tt:XAddr>${x(xaddrs.media)}</tt:XAddr><tt:StreamingCapabilities><tt:RTPMulticast>false</tt:RTPMulticast>` +
    '<tt:RTP_TCP>true</tt:RTP_TCP><tt:RTP_RTSP_TCP>true</tt:RTP_RTSP_TCP></tt:StreamingCapabilities></tt:Media>' +
    `<tt:PTZ><tt:XAddr>${x(xaddrs.ptz)}</tt:XAddr></tt:PTZ></tds:Capabilities>`
  );
}

function services({ xaddrs }: SimDeviceModel): string {
  const service = (namespace: string, xaddr: string) =>
    `<tds:Service><tds:Namespace>${namespace}</tds:Namespace><tds:XAddr>${x(xaddr)}</tds:XAddr>` +
    '<tds:Version><tt:Major>2</tt:Major><tt:Minor>60</tt:Minor></tds:Version></tds:Service>';
  return (
    service('http://www.onvif.org/ver10/device/wsdl', xaddrs.device) +
    service('http://www.onvif.org/ver10/media/wsdl', xaddrs.media) +
    service('http://www.onvif.org/ver20/ptz/wsdl', xaddrs.ptz)
  );
}

function profileXml(element: string, p: SimProfile): string {
  const t = x(p.token);
  return (
    `<${element} token="${t}" fixed="true"><tt:Name>${x(p.name)}</tt:Name>` +
    '<tt:VideoSourceConfiguration token="vsc0"><tt:Name>VideoSource</tt:Name><tt:UseCount>2</tt:UseCount>' +
    `<tt:SourceToken>vs0</tt:SourceToken><tt:Bounds x="0" y="0" width="${p.width}" height="${p.height}"/></tt:VideoSourceConfiguration>` +
    `<tt:VideoEncoderConfiguration token="venc_${t}"><tt:Name>${x(p.name)}</tt:Name><tt:UseCount>1</tt:UseCount>` +
    `<tt:Encoding>H264</tt:Encoding><tt:Resolution><tt:Width>${p.width}</tt:Width><tt:Height>${p.height}</tt:Height></tt:Resolution>` +
    `<tt:Quality>5</tt:Quality><tt:RateControl><tt:FrameRateLimit>${p.fps}</tt:FrameRateLimit><tt:EncodingInterval>1</tt:EncodingInterval>` +
    `<tt:BitrateLimit>4096</tt:BitrateLimit></tt:RateControl><tt:H264><tt:GovLength>${p.fps}</tt:GovLength><tt:H264Profile>Main</tt:H264Profile></tt:H264>` +
    '<tt:Multicast><tt:Address><tt:Type>IPv4</tt:Type><tt:IPv4Address>0.0.0.0</tt:IPv4Address></tt:Address><tt:Port>0</tt:Port>' +
    '<tt:TTL>1</tt:TTL><tt:AutoStart>false</tt:AutoStart></tt:Multicast><tt:SessionTimeout>PT60S</tt:SessionTimeout></tt:VideoEncoderConfiguration>' +
    '<tt:PTZConfiguration token="ptz0"><tt:Name>PTZ</tt:Name><tt:UseCount>2</tt:UseCount><tt:NodeToken>ptznode0</tt:NodeToken></tt:PTZConfiguration>' +
    `</${element}>`
  );
}

function mediaUri(uri: string): string {
  return (
    `<trt:MediaUri><tt:Uri>${x(uri)}</tt:Uri><tt:InvalidAfterConnect>false</tt:InvalidAfterConnect>` +
    '<tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout></trt:MediaUri>'
  );
}
