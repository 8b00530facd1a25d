import { el } from './dom.js';
import { t } from './i18n/i18n.js';
import { PROVINCES, SPECIAL_PREFIXES } from './shared/plate-vocabulary.js';

const LEADING = new RegExp(`^[${PROVINCES}${SPECIAL_PREFIXES}]`);

/**
 * A province picker in front of a plate input: Chinese plates start with the province's one-character
 * abbreviation (京, 粤…), which is slow to type on many keyboards. Picking one puts it first in the input
 * (replacing any province already there) and gives the input the focus back.
 */
export function provincePicker(input, testId = 'province-picker') {
  const select = el('select', { class: 'province-picker', 'data-testid': testId, 'aria-label': t('checkpoint.province') },
    el('option', { value: '' }, t('checkpoint.province')),
    [...PROVINCES].map((p) => el('option', { value: p }, `${p} ${t(`provinces.${p}`)}`)));
  select.addEventListener('change', () => {
    if (!select.value) return;
    input.value = select.value + input.value.trim().replace(LEADING, '');
    select.value = '';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.focus();
  });
  return el('span', { class: 'plate-input' }, select, input);
}
