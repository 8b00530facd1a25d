import type { TestHub, TestUser } from '../helpers/test-hub.ts';

export interface SseEvent { event: string; data: any }

/** An SSE stream read with fetch and the bearer header, as the console does; every event lands in `events`. */
export async function openSse(t: TestHub, user: TestUser, path: string) {
  const controller = new AbortController();
  const response = await fetch(`${t.url}${path}`, { headers: { authorization: `Bearer ${user.token}` }, signal: controller.signal });
  if (response.status !== 200) throw new Error(`SSE ${path} answered ${response.status}`);
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const events: SseEvent[] = [];
  let buffer = '';
  const done = (async () => {
    for (;;) {
      const chunk = await reader.read().catch(() => ({ done: true as const, value: undefined }));
      if (chunk.done) return;
      buffer += decoder.decode(chunk.value, { stream: true });
      let cut: number;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const event = /^event: (.+)$/m.exec(block)?.[1];
        const data = /^data: (.+)$/m.exec(block)?.[1];
        if (event && data) events.push({ event, data: JSON.parse(data) });
      }
    }
  })();
  return { events, close: async () => { controller.abort(); await done; } };
}
