import { isDomainError } from '../../kernel/errors/domain-error.ts';
import { parseMotorVehicle, type ImageSource } from '../objects/motor-vehicle-input.ts';
import { countObjectKeys, SCAN_ABOVE_BYTES } from '../objects/object-count.ts';
import { STATUS } from '../viid-status.ts';
import { decodeBase64Picture, PictureRefusal } from './base64-picture.ts';
import { jpegSize } from './jpeg-size.ts';
import type { HeldPictureState, ParsedObject, PushLimits, PushParseResult, WireRefusal } from './push-messages.ts';

const refusal = (code: string, message: string, status: number, statusCode: number, objects = 0): PushParseResult =>
  ({ status: 'refused', refusal: { code, message, status, statusCode, objects } });

/** The objects of a push: `{MotorVehicleListObject:{MotorVehicleObject:[…]}}`, a single object instead of the array, or a bare `{MotorVehicleObject}`. */
export function motorVehicleObjectsOf(body: unknown): unknown[] | undefined {
  const root = body as { MotorVehicleListObject?: { MotorVehicleObject?: unknown }; MotorVehicleObject?: unknown } | null;
  const inner = root?.MotorVehicleListObject?.MotorVehicleObject ?? root?.MotorVehicleObject;
  if (inner === undefined || inner === null) return undefined;
  return Array.isArray(inner) ? inner : [inner];
}

/** The wire form of an object's refusal: DomainErrors are the data's fault; anything else is ours. */
function wireError(error: unknown): WireRefusal {
  if (isDomainError(error)) return { code: error.code, message: error.message, status: 400, statusCode: STATUS.invalidJsonContent, objects: 1 };
  return { code: 'INTERNAL', message: 'the object could not be stored; retry later', status: 500, statusCode: STATUS.deviceError, objects: 1 };
}

/**
 * Decodes and checks one inline picture (size, JPEG header, pixel count): a good JPEG is `held` with its bytes,
 * another format's bytes go back as `notJpeg`, a bad picture is `refused`. Errors other than refusals are thrown.
 */
export function checkPicture(data: string, limits: Pick<PushLimits, 'maxImageBytes' | 'maxImagePixels'>): { state: HeldPictureState; bytes?: Buffer } {
  try {
    const decoded = decodeBase64Picture(data, limits.maxImageBytes);
    const size = jpegSize(decoded);
    if (!size) return { state: { status: 'notJpeg', bytes: decoded } };
    if (size.width === 0 || size.height === 0) return { state: { status: 'refused', code: 'VIID_IMAGE_INVALID', message: 'the picture has no size' } };
    if (size.width * size.height > limits.maxImagePixels) return { state: { status: 'refused', code: 'VIID_IMAGE_TOO_LARGE', message: `the picture claims ${size.width} × ${size.height} pixels; at most ${limits.maxImagePixels}` } };
    return { state: { status: 'held' }, bytes: decoded };
  } catch (error) {
    if (error instanceof PictureRefusal) return { state: { status: 'refused', code: error.code, message: error.message } };
    throw error;
  }
}

/**
 * A POST /VIID/MotorVehicles body, in a writer thread: decoded, parsed and checked like the event loop did
 * before (empty body, object count scanned before parsing, malformed JSON, no object list, too many objects:
 * the whole request is refused), each object reduced to a received vehicle or its refusal, and the inline
 * pictures it keeps (plate close-up and scene) decoded and checked; an object names its pictures by their
 * index in `pictures`. The bytes of good JPEGs (`held`, same index) stay in this thread: the caller asks for
 * them to be written only once their objects are known to be fresh and owned.
 */
export function parsePush(body: Buffer, limits: PushLimits): { result: PushParseResult; held: Array<Buffer | undefined> } {
  const held: Array<Buffer | undefined> = [];
  const refused = (result: PushParseResult) => ({ result, held });
  if (body.length > SCAN_ABOVE_BYTES && countObjectKeys(body, limits.maxObjects) > limits.maxObjects) {
    return refused(refusal('VIID_BATCH_TOO_LARGE', `at most ${limits.maxObjects} objects per request; send smaller batches`, 413, STATUS.invalidJsonContent));
  }
  const text = body.toString('utf8');
  if (text.trim() === '') return refused(refusal('VIID_JSON_EMPTY', 'the body is empty', 400, STATUS.invalidJsonFormat));
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return refused(refusal('VIID_JSON_INVALID', 'the body is not valid JSON', 400, STATUS.invalidJsonFormat));
  }
  const raws = motorVehicleObjectsOf(parsed);
  if (!raws) return refused(refusal('VIID_NO_OBJECTS', 'expected {"MotorVehicleListObject":{"MotorVehicleObject":[…]}}', 400, STATUS.invalidJsonContent));
  if (raws.length > limits.maxObjects) {
    return refused(refusal('VIID_BATCH_TOO_LARGE', `at most ${limits.maxObjects} objects per request; send ${raws.length} in smaller batches`, 413, STATUS.invalidJsonContent, raws.length));
  }
  const pictures: HeldPictureState[] = [];
  const inline = (source: ImageSource | undefined): ImageSource | undefined => {
    if (!source || !('data' in source)) return source;
    const { state, bytes } = checkPicture(source.data, limits);
    pictures.push(state);
    held.push(bytes);
    return { picture: pictures.length - 1 };
  };
  const objects: ParsedObject[] = raws.map((raw) => {
    const id = String((raw as { MotorVehicleID?: unknown } | null)?.MotorVehicleID ?? '').slice(0, 64);
    try {
      const vehicle = parseMotorVehicle(raw);
      vehicle.crop = inline(vehicle.crop);
      vehicle.scene = inline(vehicle.scene);
      return { id, vehicle };
    } catch (error) {
      return { id, error: wireError(error) };
    }
  });
  return { result: { status: 'parsed', objects, pictures }, held };
}
