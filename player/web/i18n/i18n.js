// Message catalogues: every string the player shows comes from here. Chinese (zh-CN) is the default,
// English a switch kept in localStorage. Each namespace is one file in ./messages/ exporting
// { 'zh-CN': { key: text }, en: { key: text } }; keys are '<namespace>.<name>'. Text may hold {param}
// placeholders. A missing key shows the key itself (and a console warning) so a gap is visible, never blank.
import { NAMESPACES } from './messages/index.js';

export const LOCALES = ['zh-CN', 'en'];
const LOCALE_KEY = 'hub.locale';
const ZONE_KEY = 'hub.timeZone';
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

const catalogues = { 'zh-CN': {}, en: {} };
for (const [namespace, messages] of Object.entries(NAMESPACES)) {
  for (const locale of LOCALES) {
    for (const [key, text] of Object.entries(messages[locale] ?? {})) catalogues[locale][`${namespace}.${key}`] = text;
  }
}

export function locale() {
  const saved = localStorage.getItem(LOCALE_KEY);
  return LOCALES.includes(saved) ? saved : 'zh-CN';
}

/** Switches the language and reloads the page so every module renders again in it. */
export function setLocale(next) {
  if (!LOCALES.includes(next)) throw new Error(`unknown locale ${next}`);
  localStorage.setItem(LOCALE_KEY, next);
  document.documentElement.lang = next;
}

export function timeZone() {
  return localStorage.getItem(ZONE_KEY) || DEFAULT_TIME_ZONE;
}

export function setTimeZone(zone) {
  new Intl.DateTimeFormat('en', { timeZone: zone }); // throws RangeError on an unknown zone
  localStorage.setItem(ZONE_KEY, zone);
}

/** The text of key in the current language, with {param} filled in. */
export function t(key, params = {}) {
  const text = catalogues[locale()][key] ?? catalogues['zh-CN'][key];
  if (text === undefined) {
    console.warn(`i18n: no message for ${key}`);
    return key;
  }
  return text.replace(/\{(\w+)\}/g, (whole, name) => (params[name] === undefined ? whole : String(params[name])));
}

/** True when key has a message (for turning codes into words with a fallback). */
export function has(key) {
  return catalogues[locale()][key] !== undefined || catalogues['zh-CN'][key] !== undefined;
}

/** A date and time (epoch ms) in the user's zone (Asia/Shanghai by default): 2026-12-06 20:41:05. */
export function formatDateTime(ms) {
  if (ms === null || ms === undefined) return '—';
  return new Intl.DateTimeFormat('sv-SE', { timeZone: timeZone(), year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }).format(new Date(ms));
}

/** A time of day (epoch ms) in the user's zone: 20:41 (or 20:41:05 with seconds). */
export function formatClock(ms, { seconds = false } = {}) {
  if (ms === null || ms === undefined) return '—';
  return new Intl.DateTimeFormat('sv-SE', { timeZone: timeZone(), hour: '2-digit', minute: '2-digit', second: seconds ? '2-digit' : undefined, hour12: false }).format(new Date(ms));
}

/** A number in the current language's format. */
export function formatNumber(value) {
  return new Intl.NumberFormat(locale()).format(value);
}
