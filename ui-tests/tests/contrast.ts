/** What a reader sees of an element's text: its colour against the background behind it. */
import { Locator } from '@playwright/test';

/**
 * The WCAG contrast ratio of an element's text colour to the first opaque background at or
 * above it, and its own background (to check that an inner part does not paint over a row).
 */
export async function contrastOf(
  element: Locator
): Promise<{ ratio: number; color: string; background: string; own: string }> {
  return element.evaluate(el => {
    const parse = (css: string): number[] =>
      (css.match(/[\d.]+/g) ?? []).map(Number);
    const opaque = (css: string) => {
      const parts = parse(css);
      return parts.length >= 3 && (parts.length < 4 || parts[3] > 0.5);
    };
    let node: Element | null = el;
    let background = 'rgb(255, 255, 255)';
    while (node) {
      const bg = getComputedStyle(node).backgroundColor;
      if (opaque(bg)) {
        background = bg;
        break;
      }
      node = node.parentElement;
    }
    const color = getComputedStyle(el).color;
    const luminance = (css: string) => {
      const [r, g, b] = parse(css)
        .slice(0, 3)
        .map(v => {
          const c = v / 255;
          return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
        });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const [hi, lo] = [luminance(color), luminance(background)].sort(
      (a, b) => b - a
    );
    return {
      ratio: (hi + 0.05) / (lo + 0.05),
      color,
      background,
      own: getComputedStyle(el).backgroundColor
    };
  });
}
