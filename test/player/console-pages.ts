import type { Page } from 'playwright-core';

/**
 * Draws two different Chinese characters and a private-use character (no font has it: the missing-glyph box)
 * in the page's own font on a canvas and compares the pixels. Without CJK fonts every one of them is the same
 * box; with them the two characters differ from each other and from the box, and leave ink.
 */
export function fontReport(page: Page): Promise<{ sameAsEachOther: boolean; sameAsMissing: boolean; inked: boolean }> {
  return page.evaluate(() => {
    const font = `32px ${getComputedStyle(document.body).fontFamily}`;
    const draw = (text: string) => {
      const canvas = document.createElement('canvas');
      canvas.width = 48;
      canvas.height = 48;
      const context = canvas.getContext('2d')!;
      context.font = font;
      context.fillStyle = '#000';
      context.textBaseline = 'top';
      context.fillText(text, 4, 4);
      return Array.from(context.getImageData(0, 0, 48, 48).data);
    };
    const same = (a: number[], b: number[]) => a.every((value, i) => value === b[i]);
    const zhong = draw('中');
    const guo = draw('国');
    const missing = draw('\uE000');
    return { sameAsEachOther: same(zhong, guo), sameAsMissing: same(zhong, missing) || same(guo, missing), inked: zhong.some((value) => value > 0) };
  });
}

/** How many CSS pixels the page is wider than the window (0 = no sideways scrolling). */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => Math.max(0, document.documentElement.scrollWidth - window.innerWidth));
}

/** The text a person sees in the header and the page (not inside <select> lists or hidden nodes). */
export function visibleText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const parts: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent || parent.closest('select, script, style, [hidden]') || parent.offsetParent === null) continue;
      parts.push(node.textContent ?? '');
    }
    return parts.join(' ');
  });
}

/** Opens a page through the menu as a person would: on a phone the menu toggle first. Waits for the page to be shown. */
export async function menuTo(page: Page, id: string, phone: boolean): Promise<void> {
  if (phone) await page.getByTestId('menu-toggle').click();
  await page.getByTestId(`nav-${id}`).click();
  await page.waitForFunction((name) => document.querySelector('#view')?.getAttribute('data-page') === name, id, { timeout: 10_000 });
}
