// The user's choices for how alerts reach them, kept per user in this browser. Both are off by default:
// a sound or a desktop pop-up is something a person turns on, never a surprise.
const KEY = (userId) => `hub.notify.${userId}`;
const DEFAULTS = { sound: false, desktop: false };

export function loadNotifySettings(userId) {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY(userId)) ?? '{}');
    return { sound: saved.sound === true, desktop: saved.desktop === true };
  } catch {
    return { ...DEFAULTS };
  }
}

export function saveNotifySettings(userId, settings) {
  localStorage.setItem(KEY(userId), JSON.stringify({ sound: settings.sound === true, desktop: settings.desktop === true }));
}
