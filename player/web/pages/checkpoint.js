import { playFromHere } from '../play-from-here.js';
import { api } from '../api.js';
import { el } from '../dom.js';
import { t } from '../i18n/i18n.js';
import { provincePicker } from '../province-picker.js';
import { term } from '../terms.js';
import { PLATE_COLOURS } from '../shared/plate-vocabulary.js';
import { colourBadge, confidence, downloadWithAuth, plateLink, vehicleText } from './checkpoint-common.js';
import { passImageLoader } from './pass-images.js';
import { filterForm, formatTime, fromLocalInput, loadDirectory, pagedTable, toLocalInput } from './workflow-common.js';

// Plate search modes and the API parameter each one fills.
const MODES = { exact: 'plate', wildcard: 'platePattern', fuzzy: 'fuzzyPlate' };
const PAGE_SIZE = 50;

/**
 * Checkpoint (卡口) pass search: plate (exact, wildcard or OCR-tolerant), time range, camera, plate colour;
 * newest first, "load more" with the API's cursor, CSV export of the same filters. The filters live in the
 * hash (#/checkpoint?mode=exact&plate=…) so going back from a trajectory shows the same results.
 */
export async function renderCheckpoint(root, { query, signal }) {
  const directory = await loadDirectory(signal);
  const images = passImageLoader();
  const fields = {
    mode: el('select', { 'data-testid': 'cp-mode' }, Object.keys(MODES).map((m) => el('option', { value: m }, term('mode', m)))),
    plate: el('input', { placeholder: t('checkpoint.platePlaceholder'), maxlength: 16, 'data-testid': 'cp-plate' }),
    from: el('input', { type: 'datetime-local', 'data-testid': 'cp-from' }),
    to: el('input', { type: 'datetime-local', 'data-testid': 'cp-to' }),
    cameraId: el('select', { 'data-testid': 'cp-camera' }, el('option', { value: '' }, t('checkpoint.anyCamera')),
      directory.cameras.map((c) => el('option', { value: c.id }, c.name))),
    plateColour: el('select', { 'data-testid': 'cp-colour' }, el('option', { value: '' }, t('checkpoint.anyColour')),
      PLATE_COLOURS.map((c) => el('option', { value: c }, term('plate', c)))),
  };
  for (const [name, input] of Object.entries(fields)) {
    const value = query.get(name);
    if (value === null) continue;
    input.value = name === 'from' || name === 'to' ? toLocalInput(Number(value)) : value;
  }

  /** The filters as API parameters (also what the hash keeps, with `mode`). */
  const filters = () => {
    const params = new URLSearchParams();
    const plate = fields.plate.value.trim();
    if (plate) params.set(MODES[fields.mode.value], plate);
    for (const name of ['from', 'to']) {
      const ms = fromLocalInput(fields[name].value);
      if (ms !== undefined) params.set(name, String(ms));
    }
    for (const name of ['cameraId', 'plateColour']) if (fields[name].value) params.set(name, fields[name].value);
    return params;
  };
  const remember = () => {
    const kept = new URLSearchParams({ mode: fields.mode.value });
    if (fields.plate.value.trim()) kept.set('plate', fields.plate.value.trim());
    for (const [name, value] of filters()) if (!Object.values(MODES).includes(name)) kept.set(name, value);
    // replaceState does not fire hashchange, so the page is not rendered again.
    history.replaceState(null, '', `#/checkpoint?${kept}`);
  };

  const pager = pagedTable({
    testId: 'cp',
    moreLabel: t('checkpoint.loadMore'),
    headers: [t('checkpoint.colTime'), t('checkpoint.colPlate'), t('checkpoint.colColour'), t('checkpoint.colConfidence'), t('checkpoint.colCamera'), t('checkpoint.colVehicle'), t('checkpoint.colCrop'), ''],
    rowOf: (p) => passRow(p, directory, images),
    empty: () => el('p', { class: 'muted', 'data-testid': 'cp-empty' }, t('checkpoint.noPasses')),
    shown: (count) => t(count === 1 ? 'checkpoint.shownOne' : 'checkpoint.shown', { count }),
    signal,
    fetchPage: async (cursor) => {
      const params = filters();
      params.set('limit', String(PAGE_SIZE));
      if (cursor) params.set('cursor', cursor);
      return api(`/api/v1/checkpoint/passes?${params}`, { signal });
    },
  });
  const { outcome, results, more } = pager;
  const search = async (append) => {
    // Only the page on screen may write the address (the user may have moved on while this search ran).
    if ((await pager.search(append)) && !append && !signal?.aborted) remember();
  };
  const exportCsv = async () => {
    try {
      await downloadWithAuth(`/api/v1/checkpoint/export/passes.csv?${filters()}`, `checkpoint-passes-${formatTime(Date.now()).slice(0, 10)}.csv`);
      outcome.ok(t('checkpoint.exported'));
    } catch (error) { outcome.fail(error); }
  };
  const labels = Object.fromEntries(Object.keys(fields).map((name) => [name, t(`checkpoint.field_${name}`)]));
  const form = filterForm({ testId: 'cp', fields: { ...fields, plate: provincePicker(fields.plate) }, labels, search, exportCsv });
  root.append(el('h1', {}, t('checkpoint.title')), form, outcome.node, results, more);
  search(false);
  return () => images.release();
}

function passRow(pass, directory, images) {
  const vehicle = vehicleText(pass);
  return el('tr', { 'data-testid': 'pass-row', 'data-plate': pass.plate, 'data-pass-id': pass.id },
    el('td', {}, formatTime(pass.passedAt)),
    el('td', {}, plateLink(pass.plate),
      pass.matchDistance === undefined ? null : el('span', { class: 'badge', title: t('checkpoint.matchTitle'), 'data-testid': 'match-distance', 'data-distance': pass.matchDistance }, matchWords(pass.matchDistance))),
    el('td', {}, colourBadge(pass.plateColour)),
    el('td', {}, confidence(pass.plateConfidence)),
    el('td', {}, directory.camera(pass.cameraId)),
    el('td', { class: 'muted' }, vehicle || '—'),
    el('td', {}, images.thumbnail(pass)),
    el('td', {}, playFromHere(pass.cameraId, pass.passedAt)));
}

/** A fuzzy match's edit distance in words: 0 = same plate once OCR confusions (0/D, 8/B…) are folded. */
function matchWords(distance) {
  return distance === 0 ? t('checkpoint.matchSame') : t('checkpoint.matchEdits', { count: distance });
}
