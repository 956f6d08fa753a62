"""Checks a person would make of a page, measured in the browser.

Each returns what it found wrong (an empty list when all is well), so a test
can collect every problem of a journey before failing, and name them all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Page

# WCAG 2.2 AA, 2.5.8 Target Size (Minimum).
MIN_TARGET_PX = 24
# The budget for one page with its CSS, scripts and pictures.
MAX_PAGE_BYTES = 150 * 1024
PHONE_WIDTH = 360

# Links and buttons in the main content smaller than 24×24 CSS pixels. A link
# inside a sentence is exempt (WCAG's "inline" exception), and so is what is
# not rendered.
_SMALL_TARGETS = """
(min) => {
  const targets = document.querySelectorAll(
    'main a[href], main button, main input:not([type=hidden]), main select, main summary');
  const small = [];
  for (const el of targets) {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (box.width === 0 || box.height === 0 || style.visibility === 'hidden') continue;
    if (el.tagName === 'A' && style.display === 'inline') {
      const block = el.closest('p, li, dd, td, th, label, legend, span.hint');
      const around = block ? block.textContent.replace(el.textContent, '').trim() : '';
      if (around.length > 0) continue;
    }
    if (box.width < min || box.height < min) {
      const size = `${Math.round(box.width)}×${Math.round(box.height)}`;
      small.push(`${el.outerHTML.slice(0, 100)} is ${size}`);
    }
  }
  return small;
}
"""

_WEIGHT = """
() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const items = [[location.href, nav ? nav.decodedBodySize : 0]];
  for (const r of performance.getEntriesByType('resource')) items.push([r.name, r.decodedBodySize]);
  return items;
}
"""

# Whether the focused element shows where the focus is: an outline of 2px or
# more, or a box shadow, that is not the same as without focus.
_FOCUS_VISIBLE = """
() => {
  const el = document.activeElement;
  if (!el || el === document.body) return {tag: 'body', visible: false};
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
  const shadow = s.boxShadow && s.boxShadow !== 'none';
  return {tag: el.outerHTML.slice(0, 100), visible: outline || shadow};
}
"""

_ERRORS_TIED = """
() => {
  const problems = [];
  const summary = document.querySelector('.error-summary');
  if (!summary) return ['no error summary at the top of the form'];
  const main = document.querySelector('main');
  const form = main.querySelector('form');
  if (form && (summary.compareDocumentPosition(form) & Node.DOCUMENT_POSITION_FOLLOWING) === 0) {
    problems.push('the error summary is not above the form');
  }
  for (const link of summary.querySelectorAll('a')) {
    const id = decodeURIComponent((link.getAttribute('href') || '').replace(/^#/, ''));
    if (!id || !document.getElementById(id)) {
      problems.push(`summary link ${link.outerHTML} goes nowhere`);
    }
  }
  const invalid = document.querySelectorAll('[aria-invalid=true]');
  if (invalid.length === 0) problems.push('no field is marked aria-invalid');
  for (const field of invalid) {
    const ids = (field.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean);
    const texts = ids.map(id => document.getElementById(id)).filter(Boolean)
      .filter(node => node.classList.contains('error')).map(node => node.textContent.trim());
    if (!texts.some(Boolean)) {
      problems.push(`${field.outerHTML.slice(0, 100)} is described by no error message`);
    }
  }
  return problems;
}
"""


def small_targets(page: Page) -> list[str]:
    return list(page.evaluate(_SMALL_TARGETS, MIN_TARGET_PX))


def page_weight(page: Page) -> tuple[int, list[tuple[str, int]]]:
    """Bytes of the document and everything it loaded (uncompressed), and the items."""
    items = [(str(url), int(size)) for url, size in page.evaluate(_WEIGHT)]
    return sum(size for _, size in items), items


def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels wider than the window the page is (0 when it fits)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    return max(0, int(width) - int(page.viewport_size["width"]))


def focus_visible(page: Page) -> dict[str, Any]:
    return dict(page.evaluate(_FOCUS_VISIBLE))


def errors_not_tied(page: Page) -> list[str]:
    return list(page.evaluate(_ERRORS_TIED))


def without_browser_validation(page: Page) -> None:
    """Let an empty or wrong form reach the server, as an old browser would send it."""
    page.evaluate("document.querySelectorAll('form').forEach(f => f.noValidate = true)")


# The innermost elements that reach past the window's edges (either side: right to
# left pages overflow on the left), to name what makes a page scroll sideways.
_WIDE_ELEMENTS = """
(limit) => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || (box.right <= width + 0.5 && box.left >= -0.5)) continue;
    let inner = false;
    for (const child of el.children) {
      const c = child.getBoundingClientRect();
      if (c.width > 0 && (c.right > width + 0.5 || c.left < -0.5)) { inner = true; break; }
    }
    // A box that scrolls inside itself holds what is wider than it.
    if (el.closest('[data-scrolls], .table-scroll') && !el.matches('.table-scroll')) continue;
    if (!inner) {
      const name = el.tagName.toLowerCase() + (el.className ? '.' + String(el.className)
        .trim().split(/\\s+/).join('.') : '');
      wide.push(`${name} (${Math.round(box.left)}…${Math.round(box.right)} px): `
                + `${(el.textContent || '').trim().slice(0, 50)}`);
    }
    if (wide.length >= limit) break;
  }
  return wide;
}
"""


def wide_elements(page: Page, limit: int = 5) -> list[str]:
    """What reaches past the window's edges: the innermost elements, with their edges."""
    return list(page.evaluate(_WIDE_ELEMENTS, limit))


# Every rendered text of the page's SVG charts: its box and the size its font is drawn at
# (the font-size in chart units times how much the chart is scaled to fit its box).
_CHART_TEXT = """
() => {
  const found = [];
  for (const svg of document.querySelectorAll('main svg[viewBox]')) {
    const box = svg.getBoundingClientRect();
    if (box.width === 0) continue;
    const scale = box.width / svg.viewBox.baseVal.width;
    for (const text of svg.querySelectorAll('text')) {
      const r = text.getBoundingClientRect();
      if (r.width === 0) continue;
      const size = parseFloat(getComputedStyle(text).fontSize) * scale;
      found.push({text: text.textContent, height: r.height, size: size,
                  left: r.left, right: r.right, chart: svg.id});
    }
  }
  return found;
}
"""


def chart_texts(page: Page) -> list[dict[str, Any]]:
    """Each text of the page's SVG charts as drawn: its content, height, font size in CSS
    px, left and right edges, and the chart's id."""
    return list(page.evaluate(_CHART_TEXT))


def small_chart_text(page: Page, minimum: float = 12) -> list[str]:
    """Chart texts drawn smaller than ``minimum`` CSS px (font size or box height)."""
    return [f"{t['chart']}: {t['text']!r} drawn at {t['size']:.1f} px "
            f"(box {t['height']:.1f} px high)"
            for t in chart_texts(page) if t["size"] < minimum or t["height"] < minimum]
