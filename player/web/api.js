// Talks to the hub API with the bearer token kept in sessionStorage (gone when the tab closes).
const TOKEN_KEY = 'hub.token';
const USER_KEY = 'hub.user';

export const auth = {
  get token() { return sessionStorage.getItem(TOKEN_KEY); },
  get user() { const raw = sessionStorage.getItem(USER_KEY); return raw ? JSON.parse(raw) : null; },
  save(token, user) { sessionStorage.setItem(TOKEN_KEY, token); sessionStorage.setItem(USER_KEY, JSON.stringify(user)); },
  clear() { sessionStorage.removeItem(TOKEN_KEY); sessionStorage.removeItem(USER_KEY); },
};

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** `signal` (the page's AbortSignal from the router) cancels the request when the user moves on. */
async function request(path, { method = 'GET', body, keepalive = false, signal } = {}) {
  const headers = {};
  if (auth.token) headers.authorization = `Bearer ${auth.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), keepalive, signal });
  if (response.status === 401 && path !== '/api/v1/auth/login') {
    auth.clear();
    location.hash = '#/login';
  }
  return response;
}

/** JSON in, JSON out; errors become ApiError with the API's code and message. */
export async function api(path, options) {
  const response = await request(path, options);
  const text = await response.text();
  let data;
  try { data = text ? JSON.parse(text) : undefined; } catch { data = undefined; }
  if (!response.ok) throw new ApiError(response.status, data?.code ?? 'HTTP_ERROR', data?.message ?? response.statusText);
  // Something changed (approved, acknowledged, read…): the menu badges count again.
  if ((options?.method ?? 'GET') !== 'GET') window.dispatchEvent(new CustomEvent('hub:mutated', { detail: { path } }));
  return data;
}

/** A binary answer (snapshot JPEG) as an object URL. */
export async function apiBlobUrl(path, { signal } = {}) {
  const response = await request(path, { signal });
  if (!response.ok) {
    const data = await response.json().catch(() => ({}));
    throw new ApiError(response.status, data.code ?? 'HTTP_ERROR', data.message ?? response.statusText);
  }
  return URL.createObjectURL(await response.blob());
}
