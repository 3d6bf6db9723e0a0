"""Measuring touch targets in the browser: every visible interactive element's box."""
from __future__ import annotations

MIN_TARGET = 44          # px, the tablet's finger

# What a finger can tap. Checkboxes, radios and toggles are tapped on their label.
_MEASURE = r"""(minSize) => {
  const sel = [
    'button', 'a[href]', '[role="tab"]', '[role="combobox"]',
    'input:not([type="hidden"]):not([type="checkbox"]):not([type="radio"]):not([type="file"])',
    'label:has(input[type="checkbox"])', 'label:has(input[type="radio"])',
    '[data-testid="stTooltipIcon"]', '[data-testid="stTooltipHoverTarget"]',
    '[data-baseweb="tag"] [role="presentation"]', 'summary',
  ].join(',');
  const seen = new Set();
  const small = [];
  // a text field is tapped on its whole frame, not the bare <input> inside it
  const frame = el => el.closest('[data-testid="stSelectbox"] [role="group"], .react-aria-ComboBox,'
                                 + ' [data-testid="stNumberInputContainer"], [data-baseweb="input"],'
                                 + ' [data-baseweb="base-input"]') || el;
  const vw = window.innerWidth, vh = window.innerHeight;
  for (const el of document.querySelectorAll(sel)) {
    if (el.closest('.stSkipLink, [data-testid="stDataFrameResizable"] canvas')) continue;
    const box = (el.tagName === 'INPUT' ? frame(el) : el).getBoundingClientRect();
    if (!box.width || !box.height || el.offsetParent === null) continue;
    // off screen (a collapsed sidebar, a skip link) is not a target now
    if (box.right <= 1 || box.bottom <= 1 || box.left >= vw - 1 || box.width <= 2) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.pointerEvents === 'none') continue;
    // a smaller element inside a large tappable one is covered by it
    const outer = el.parentElement && el.parentElement.closest(sel);
    if (outer) {
      const ob = outer.getBoundingClientRect();
      if (ob.width >= minSize - 0.5 && ob.height >= minSize - 0.5) continue;
    }
    // half a pixel is layout rounding (a sidebar sliding in measures 43.8), not a finger
    if (box.width < minSize - 0.5 || box.height < minSize - 0.5) {
      const name = (el.getAttribute('aria-label') || el.innerText || el.getAttribute('data-testid')
                    || el.tagName).trim().slice(0, 30);
      const key = `${el.tagName}:${name}:${Math.round(box.width)}x${Math.round(box.height)}`;
      if (!seen.has(key)) { seen.add(key); small.push(key); }
    }
  }
  return small;
}"""


def small_targets(page, min_size: int = MIN_TARGET) -> list[str]:
    """"TAG:name:WxH" for every visible interactive element under ``min_size``."""
    return page.evaluate(_MEASURE, min_size)


_WIDE_TABLES = r"""() => Array.from(document.querySelectorAll('[data-testid="stDataFrame"]'))
  .filter(t => t.offsetParent !== null && !t.closest('details:not([open])'))
  .map(t => {
    const scroller = t.querySelector('.dvn-scroller') || t;
    return [t.getAttribute('aria-label') || '', scroller.scrollWidth - scroller.clientWidth];
  })
  .filter(([_, over]) => over > 1)
  .map(([name, over]) => `${name}: ${over}px off-screen`)"""


def wide_tables(page) -> list[str]:
    """Tables whose columns do not fit their frame (the rest scrolls sideways)."""
    return page.evaluate(_WIDE_TABLES)
