const CHINA_OFFSET_MS = 8 * 3_600_000;

/** `datetime-local` value in China time (UTC+8) for epoch ms. */
export function toChinaInput(ms) {
  return new Date(ms + CHINA_OFFSET_MS).toISOString().slice(0, 19);
}

/** Epoch ms of a `datetime-local` value read as China time; NaN when empty. */
export function fromChinaInput(value) {
  if (!value) return NaN;
  const [date, time = '00:00:00'] = value.split('T');
  return Date.parse(`${date}T${time.length === 5 ? `${time}:00` : time}Z`) - CHINA_OFFSET_MS;
}
