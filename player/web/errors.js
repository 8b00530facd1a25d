import { has, t } from './i18n/i18n.js';

/**
 * An error in the user's language: API errors carry a stable code, whose words live in the `errors`
 * catalogue (player/web/i18n/messages/errors.js covers every code the API throws, checked by a test);
 * an unknown code falls back to the server's English message.
 */
export function errorText(error) {
  const code = error?.code;
  if (typeof code === 'string' && has(`errors.${code}`)) return t(`errors.${code}`);
  return error?.message ?? String(error);
}
