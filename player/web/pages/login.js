import { api, auth } from '../api.js';
import { el } from '../dom.js';
import { errorText } from '../errors.js';
import { t } from '../i18n/i18n.js';

export function renderLogin(root) {
  const message = el('p', { class: 'form-error', 'data-testid': 'login-error' });
  const username = el('input', { name: 'username', autocomplete: 'username', required: true });
  const password = el('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const form = el('form', { class: 'card login', 'data-testid': 'login-form' },
    el('h1', {}, t('common.loginTitle')),
    el('label', {}, t('common.username'), username),
    el('label', {}, t('common.password'), password),
    el('button', { type: 'submit', 'data-testid': 'login-submit' }, t('common.login')),
    message);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.textContent = '';
    try {
      const result = await api('/api/v1/auth/login', { method: 'POST', body: { username: username.value, password: password.value } });
      auth.save(result.token, result.user);
      location.hash = '#/cameras';
    } catch (error) {
      message.textContent = errorText(error);
    }
  });
  root.append(form);
  username.focus();
}
