import { api } from '../api.js';
import { el } from '../dom.js';
import { errorText } from '../errors.js';
import { t } from '../i18n/i18n.js';

/**
 * The saved-layouts controls of the wall: pick one (the wall opens it), save the current tiles under a
 * name (the same name replaces), delete the picked one. Layouts live on the hub, per user.
 * onOpen(layout) is called when one is picked.
 */
export class WallLayoutsBar {
  /** current() gives the wall's { size, cameraIds } to save; selectedId is the layout on show (if any). */
  constructor({ layouts, maxLayouts, selectedId, current, onOpen }) {
    this.layouts = layouts;
    this.maxLayouts = maxLayouts;
    this.current = current;
    this.select = el('select', { 'data-testid': 'layout-select', 'aria-label': t('wall.layouts') });
    this.name = el('input', { 'data-testid': 'layout-name', placeholder: t('wall.layoutName'), 'aria-label': t('wall.layoutName'), maxlength: 60 });
    this.message = el('span', { class: 'muted', 'data-testid': 'layout-message', role: 'status' });
    this.select.addEventListener('change', () => {
      const layout = this.layouts.find((l) => l.id === this.select.value);
      if (layout) onOpen(layout);
    });
    this.node = el('span', { class: 'wall-layouts' }, this.select,
      el('span', { class: 'inline-form' }, this.name,
        el('button', { type: 'button', 'data-testid': 'layout-save', onclick: () => this.save() }, t('wall.save')),
        el('button', { type: 'button', 'data-testid': 'layout-delete', onclick: () => this.remove() }, t('wall.delete'))),
      this.message);
    this.fill(selectedId);
  }

  fill(selectedId) {
    this.select.replaceChildren(el('option', { value: '' }, t('wall.layoutNone')),
      ...this.layouts.map((l) => el('option', { value: l.id, selected: l.id === selectedId }, `${l.name} (${l.size})`)));
    this.select.title = t('wall.layoutCount', { count: this.layouts.length, max: this.maxLayouts });
    const picked = this.layouts.find((l) => l.id === selectedId);
    if (picked && !this.name.value) this.name.value = picked.name;
  }

  async save() {
    const name = this.name.value.trim();
    if (!name) { this.message.textContent = t('wall.layoutName'); this.name.focus(); return; }
    try {
      const { size, cameraIds } = this.current();
      const saved = await api('/api/v1/console/wall-layouts', { method: 'POST', body: { name, size, cameraIds } });
      this.layouts = [...this.layouts.filter((l) => l.id !== saved.id), saved].sort((a, b) => a.name.localeCompare(b.name));
      this.fill(saved.id);
      this.message.textContent = t('wall.saved', { name: saved.name });
    } catch (error) {
      this.message.textContent = errorText(error);
    }
  }

  async remove() {
    const id = this.select.value;
    if (!id) return;
    try {
      await api(`/api/v1/console/wall-layouts/${encodeURIComponent(id)}`, { method: 'DELETE' });
      this.layouts = this.layouts.filter((l) => l.id !== id);
      this.name.value = '';
      this.fill('');
      this.message.textContent = t('wall.deleted');
    } catch (error) {
      this.message.textContent = errorText(error);
    }
  }
}
