const OBJECT_KEY = Buffer.from('"MotorVehicleID"');

/** Bodies above this size are scanned for their object count before parsing. */
export const SCAN_ABOVE_BYTES = 256 * 1024;

/**
 * Occurrences of the MotorVehicleID key in a raw body, counted up to just past stopAt: a batch too large is
 * refused before JSON.parse. Inside a JSON string a quote is escaped, so strings cannot fake one.
 */
export function countObjectKeys(body: Buffer, stopAt: number): number {
  let count = 0;
  for (let at = body.indexOf(OBJECT_KEY); at !== -1 && count <= stopAt; at = body.indexOf(OBJECT_KEY, at + OBJECT_KEY.length)) count++;
  return count;
}
