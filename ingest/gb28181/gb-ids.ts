/** GB/T 28181 identities: 20 decimal digits, 8 centre + 2 industry + 3 type + 1 network + 6 serial. */
export const GB_ID = /^\d{20}$/;

export function isGbId(value: string | undefined): value is string {
  return typeof value === 'string' && GB_ID.test(value);
}

/** The 3-digit type code (111 DVR, 118 NVR, 131 camera, 132 IPC, 200 platform, 215/216 groups). */
export function gbType(id: string): number {
  return Number(id.slice(10, 13));
}

/** Front-end peripherals (cameras and the like, 131–199) are the channels that become cameras. */
export function isChannelId(id: string): boolean {
  if (!isGbId(id)) return false;
  const type = gbType(id);
  return type >= 131 && type <= 199;
}

/** Local time without zone, as GB/T 28181 peers expect in the REGISTER Date header and in XML times. */
export function gbLocalTime(at = new Date(), millis = true): string {
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const base = `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`;
  return millis ? `${base}.${pad(at.getMilliseconds(), 3)}` : base;
}
