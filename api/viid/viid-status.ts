import { Type } from '@sinclair/typebox';
import { HubError } from '../kernel/errors/hub-error.ts';
import { viidTime } from './objects/viid-time.ts';

/** ResponseStatusObject.StatusCode (GA/T 1400 part 4; nanguantong gat1400_status_code.h). */
export const STATUS = {
  ok: 0, otherError: 1, deviceBusy: 2, deviceError: 3, invalidOperation: 4, invalidXmlFormat: 5, invalidXmlContent: 6,
  invalidJsonFormat: 7, invalidJsonContent: 8, reboot: 9,
} as const;
export type StatusCode = (typeof STATUS)[keyof typeof STATUS];

export interface ResponseStatus {
  Id: string;
  RequestURL: string;
  StatusCode: number;
  StatusString: string;
  LocalTime: string;
}

export const ResponseStatusSchema = Type.Object({
  Id: Type.String(), RequestURL: Type.String(), StatusCode: Type.Integer(), StatusString: Type.String(), LocalTime: Type.String(),
});
export const ResponseStatusObjectSchema = Type.Object({ ResponseStatusObject: ResponseStatusSchema });
export const ResponseStatusListSchema = Type.Object({ ResponseStatusListObject: Type.Object({ ResponseStatusObject: Type.Array(ResponseStatusSchema) }) });
/** What a /VIID route answers: one status, or one per object of a batch. */
export const ViidReplySchema = Type.Union([ResponseStatusObjectSchema, ResponseStatusListSchema]);

/** `at`: one time for every status of a batch reply. */
export function responseStatus(requestUrl: string, statusCode: number, statusString: string, id = '', at = Date.now()): ResponseStatus {
  return { Id: id, RequestURL: requestUrl, StatusCode: statusCode, StatusString: statusString, LocalTime: viidTime(at) };
}

export const statusObject = (status: ResponseStatus) => ({ ResponseStatusObject: status });
export const statusList = (statuses: ResponseStatus[]) => ({ ResponseStatusListObject: { ResponseStatusObject: statuses } });

/**
 * A refusal on a /VIID route: the hub's error code and HTTP status, plus the StatusCode the standard's
 * reply carries. The /VIID error handler answers it as a ResponseStatusObject.
 */
export class ViidError extends HubError {
  constructor(code: string, message: string, status: number, readonly statusCode: StatusCode, options: { cause?: unknown; challenge?: string } = {}) {
    super(code, message, status, { cause: options.cause });
    this.name = 'ViidError';
    this.challenge = options.challenge;
  }

  /** A WWW-Authenticate value to send with a 401. */
  readonly challenge?: string;
}

export const viidUnauthorized = (code: string, message: string, challenge?: string) => new ViidError(code, message, 401, STATUS.invalidOperation, { challenge });
export const viidForbidden = (code: string, message: string) => new ViidError(code, message, 403, STATUS.invalidOperation);
export const viidBadContent = (code: string, message: string, cause?: unknown) => new ViidError(code, message, 400, STATUS.invalidJsonContent, { cause });
