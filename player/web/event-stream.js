import { auth } from './api.js';

/**
 * Reads a Server-Sent Events route with fetch() and a stream reader: the API takes tokens only in the
 * Authorization header, which EventSource cannot send. Reconnects with backoff (the server's `retry:` hint
 * as the floor) until close() is called. onEvent(name, data) gets parsed JSON data.
 */
export function openEventStream(path, { onEvent, onState = () => {} }) {
  const controller = new AbortController();
  let closed = false;
  let retryMs = 3_000;
  let failures = 0;

  const dispatch = (block) => {
    let name = 'message';
    const data = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue; // comment / heartbeat
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') name = value;
      else if (field === 'data') data.push(value);
      else if (field === 'retry' && /^\d+$/.test(value)) retryMs = Number(value);
    }
    if (data.length === 0) return;
    let parsed;
    try { parsed = JSON.parse(data.join('\n')); } catch { parsed = data.join('\n'); }
    onEvent(name, parsed);
  };

  const connect = async () => {
    while (!closed) {
      try {
        const response = await fetch(path, { headers: { authorization: `Bearer ${auth.token}`, accept: 'text/event-stream' }, signal: controller.signal });
        if (response.status === 401) { onState('unauthorized'); return; }
        if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
        onState('open');
        failures = 0;
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value.replace(/\r\n?/g, '\n');
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            dispatch(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
          }
        }
      } catch (error) {
        if (closed) return;
        failures += 1;
        onState('error', error);
      }
      if (closed) return;
      onState('reconnecting');
      await new Promise((resolve) => setTimeout(resolve, Math.min(30_000, retryMs * Math.max(1, failures))));
    }
  };
  connect();
  return () => { closed = true; controller.abort(); };
}

/** The hub's access notification stream: `notification` (mine) and `grant.ended` (my department). */
export function openNotificationStream(handlers) {
  return openEventStream('/api/v1/access/notifications/stream', handlers);
}

/**
 * One notification stream for several listeners (the tiles of a wall), so N tiles do not hold N streams:
 * opened with the first subscriber, closed with the last.
 */
export function sharedNotificationStream() {
  const listeners = new Set();
  let close = null;
  return {
    subscribe(onEvent) {
      listeners.add(onEvent);
      close ??= openNotificationStream({ onEvent: (name, data) => { for (const listener of [...listeners]) listener(name, data); } });
      return () => {
        listeners.delete(onEvent);
        if (listeners.size === 0 && close) { close(); close = null; }
      };
    },
  };
}

/** The one notification stream of the whole page (menu badges, toasts, wall tiles share it). */
export const pageNotifications = sharedNotificationStream();
