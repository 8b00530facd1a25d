import { api, auth } from '../api.js';
import { el } from '../dom.js';

export function renderLogin(root) {
  const message = el('p', { class: 'form-error', 'data-testid': 'login-error' });
  const username = el('input', { name: 'username', autocomplete: 'username', required: true });
  const password = el('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const form = el('form', { class: 'card login', 'data-testid': 'login-form' },
    el('h1', {}, 'Log in'),
    el('label', {}, 'User name', username),
    el('label', {}, 'Password', password),
    el('button', { type: 'submit' }, 'Log in'),
    message);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.textContent = '';
    try {
      const result = await api('/api/v1/auth/login', { method: 'POST', body: { username: username.value, password: password.value } });
      auth.save(result.token, result.user);
      location.hash = '#/cameras';
    } catch (error) {
      message.textContent = error.message;
    }
  });
  root.append(form);
  username.focus();
}
