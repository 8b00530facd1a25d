import { Type } from '@sinclair/typebox';
import { CascadeConfigSchema } from './cascade/cascade-config.ts';

/** Settings of the GA/T 1400 视图库 interface (`/VIID/...`): our identity, digest registration, sessions and intake limits. */
export const ViidConfigSchema = Type.Object(
  {
    civilCode: Type.String({ pattern: '^[0-9]{8}$', default: '11000000', description: 'the 8-digit area code (6-digit civil division + 2) that starts the national IDs generated for our own cameras and this server' }),
    serverId: Type.String({ pattern: '^([0-9]{20})?$', default: '', description: 'our 20-digit VIID server ID; empty = civilCode + 00 + 503 + 0000001' }),
    realm: Type.String({ minLength: 1, maxLength: 64, default: 'viid', description: 'HTTP Digest realm of /VIID/System/Register' }),
    nonceTtlSeconds: Type.Integer({ minimum: 5, maximum: 3_600, default: 120, description: 'a digest nonce must be answered within this; each nonce is good for one registration' }),
    keepaliveTimeoutSeconds: Type.Integer({ minimum: 10, maximum: 86_400, default: 120, description: 'a peer without a keepalive (or any request) for this long goes offline and must register again' }),
    bindSessionToAddress: Type.Boolean({ default: true, description: 'requests with a peer\'s User-Identify must come from the address that registered' }),
    bodyLimitBytes: Type.Integer({ minimum: 1_024, maximum: 256 * 1024 * 1024, default: 32 * 1024 * 1024, description: 'largest request body on /VIID routes (batches with base64 images); other routes keep http.bodyLimitBytes' }),
    bodyTimeoutSeconds: Type.Integer({ minimum: 1, maximum: 600, default: 20, description: 'a /VIID body must arrive within this; slower ones get 408 with a ResponseStatusObject' }),
    maxObjectsPerRequest: Type.Integer({ minimum: 1, maximum: 10_000, default: 1_000, description: 'more MotorVehicleObjects in one request are refused whole (413)' }),
    maxImageBytes: Type.Integer({ minimum: 1_024, maximum: 64 * 1024 * 1024, default: 8 * 1024 * 1024, description: 'largest decoded image (SubImageInfoObject.Data or a fetched StorageUrl)' }),
    maxImagePixels: Type.Integer({ minimum: 1, maximum: 1_000_000_000, default: 40_000_000, description: 'images claiming more pixels are refused before decoding' }),
    imageFetchTimeoutMs: Type.Integer({ minimum: 100, maximum: 60_000, default: 5_000, description: 'fetching an image from a peer\'s StorageUrl' }),
    pictureWriterThreads: Type.Integer({ minimum: 1, maximum: 32, default: 4, description: 'threads that decode and write received pictures (one request\'s pictures per message); creating files waits on the file system, so a few threads overlap those waits' }),
    cascade: CascadeConfigSchema,
  },
  { additionalProperties: false, default: {} },
);
