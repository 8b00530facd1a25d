import { attribute, child, children, path, text, type XmlNode } from './safe-xml.ts';

export interface DeviceInformation {
  manufacturer: string | null;
  model: string | null;
  firmware: string | null;
  serial: string | null;
  hardwareId: string | null;
}

export interface OnvifServices {
  media: string | undefined;
  ptz: string | undefined;
}

export interface OnvifProfile {
  token: string;
  name: string;
  width: number;
  height: number;
  encoding: string | null;
  hasPtz: boolean;
}

export interface PtzPreset {
  token: string;
  name: string;
}

const MEDIA_NS = 'http://www.onvif.org/ver10/media/wsdl';
const PTZ_NS = 'http://www.onvif.org/ver20/ptz/wsdl';

/** UTCDateTime of GetSystemDateAndTime as epoch ms (undefined when the device leaves it out). */
export function parseDeviceTime(response: XmlNode): number | undefined {
  const utc = path(response, 'SystemDateAndTime', 'UTCDateTime');
  const date = child(utc, 'Date');
  const time = child(utc, 'Time');
  const parts = [text(date, 'Year'), text(date, 'Month'), text(date, 'Day'), text(time, 'Hour'), text(time, 'Minute'), text(time, 'Second')].map(Number);
  if (parts.some((n) => !Number.isFinite(n))) return undefined;
  const [year, month, day, hour, minute, second] = parts as [number, number, number, number, number, number];
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

export function parseDeviceInformation(response: XmlNode): DeviceInformation {
  const field = (name: string) => text(response, name)?.slice(0, 200) ?? null;
  return { manufacturer: field('Manufacturer'), model: field('Model'), firmware: field('FirmwareVersion'), serial: field('SerialNumber'), hardwareId: field('HardwareId') };
}

/** Media and PTZ service addresses from a GetCapabilities or GetServices response. */
export function parseCapabilities(response: XmlNode, kind: 'capabilities' | 'services'): OnvifServices {
  if (kind === 'capabilities') {
    const caps = child(response, 'Capabilities');
    return { media: text(child(caps, 'Media'), 'XAddr'), ptz: text(child(caps, 'PTZ'), 'XAddr') };
  }
  const services = children(response, 'Service');
  const find = (namespace: string) => text(services.find((s) => text(s, 'Namespace') === namespace), 'XAddr');
  return { media: find(MEDIA_NS), ptz: find(PTZ_NS) };
}

export function parseProfiles(response: XmlNode): OnvifProfile[] {
  return children(response, 'Profiles').flatMap((profile) => {
    const token = attribute(profile, 'token');
    if (!token) return [];
    const encoder = child(profile, 'VideoEncoderConfiguration');
    const resolution = child(encoder, 'Resolution');
    return [{
      token,
      name: text(profile, 'Name') ?? token,
      width: Number(text(resolution, 'Width') ?? 0) || 0,
      height: Number(text(resolution, 'Height') ?? 0) || 0,
      encoding: text(encoder, 'Encoding') ?? null,
      hasPtz: Object.keys(child(profile, 'PTZConfiguration')).length > 0,
    }];
  });
}

/** Main stream = the largest profile, sub stream = the smallest other one. */
export function pickStreams(profiles: OnvifProfile[]): { main: OnvifProfile; sub: OnvifProfile | undefined } | undefined {
  if (profiles.length === 0) return undefined;
  const bySize = [...profiles].sort((a, b) => b.width * b.height - a.width * a.height);
  const main = bySize[0]!;
  const sub = bySize.length > 1 ? bySize[bySize.length - 1] : undefined;
  return { main, sub };
}

export function parsePresets(response: XmlNode): PtzPreset[] {
  return children(response, 'Preset').flatMap((preset) => {
    const token = attribute(preset, 'token');
    return token ? [{ token, name: text(preset, 'Name') ?? token }] : [];
  });
}
