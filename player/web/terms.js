import { has, t } from './i18n/i18n.js';

/** An internal code in words (terms catalogue, group e.g. 'status', 'scope', 'action'); the code itself when unknown. */
export function term(group, code) {
  if (code === null || code === undefined || code === '') return '—';
  const key = `terms.${group}.${code}`;
  return has(key) ? t(key) : String(code);
}

/** Several codes of one group in words, joined with the language's list separator. */
export function terms(group, codes) {
  return (codes ?? []).map((code) => term(group, code)).join(t('common.listSeparator'));
}
