import { isDomainError } from '../../api/kernel/errors/domain-error.ts';
import { toHubError } from '../../api/kernel/errors/domain-error-status.ts';

/**
 * An error as the HTTP edge answers it. Protocol and vision code throw DomainErrors without an HTTP status;
 * tests that check the status (or the HubError) a failure ends up as reach it through this mapping.
 */
export function answeredAtEdge(error: unknown): unknown {
  return isDomainError(error) ? toHubError(error) : error;
}

/** `call` wrapped so that what it throws is thrown as the HTTP edge answers it (for `expect(…).toThrow`). */
export const throwsAsAnswered = (call: () => unknown) => () => {
  try {
    call();
  } catch (error) {
    throw answeredAtEdge(error);
  }
};
