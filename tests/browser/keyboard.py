"""Moving through a page as a keyboard user does: Tab and Shift+Tab until the wanted control has
the focus, never a click or a focus() by selector, and every control met on the way shows where
the focus is.

A control's focus is visible when, with the focus on it, it is on screen and not covered by
something else (a sticky bar, a dialog), and it is drawn differently from its unfocused look: an
outline (its colour at least 3:1 against what is around it, or the browser's own two-tone ring),
or a changed box-shadow, border or background. The unfocused look of every control is taken when
each page loads (install_focus_probe), before anything has the focus.
"""
from __future__ import annotations

DEFAULT_LIMIT = 60

# Runs in every page of the context before the page's own scripts.
_PROBE = """
(() => {
  const FOCUSABLE = 'a[href], button, input, select, textarea, summary, [tabindex]';
  const looks = new WeakMap();
  const look = (el) => {
    const s = getComputedStyle(el);
    return {boxShadow: s.boxShadow, border: s.borderColor + ' ' + s.borderWidth, background: s.backgroundColor};
  };
  const record = () => {
    for (const el of document.querySelectorAll(FOCUSABLE)) {
      if (!looks.has(el) && document.activeElement !== el) looks.set(el, look(el));
    }
  };
  document.addEventListener('DOMContentLoaded', record);
  // A control drawn later (a dialog's buttons are there from the start; this is for the rest).
  document.addEventListener('focusout', record, true);

  const rgba = (text) => {
    const m = /rgba?\\(([^)]+)\\)/.exec(text || '');
    if (!m) return null;
    const [r, g, b, a] = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return {r, g, b, a: a === undefined ? 1 : a};
  };
  const luminance = ({r, g, b}) => {
    const channel = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  const contrast = (one, two) => {
    const [hi, lo] = [luminance(one), luminance(two)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const backgroundAround = (el) => {
    for (let node = el.parentElement; node; node = node.parentElement) {
      const colour = rgba(getComputedStyle(node).backgroundColor);
      if (colour && colour.a > 0) return colour;
    }
    return {r: 255, g: 255, b: 255, a: 1};
  };

  window.__describeElement = (el) => {
    if (!el || el === document.body || el === document.documentElement) return '(the page itself)';
    let text = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '');
    if (el.name) text += `[name=${el.name}]`;
    if (el.tagName === 'INPUT') text += `[type=${el.type}]`;
    const label = (el.getAttribute('aria-label') || el.innerText || el.value || '').trim().replace(/\\s+/g, ' ');
    return label ? `${text} "${label.slice(0, 50)}"` : text;
  };

  // Why the focused element's focus cannot be seen, or '' when it can.
  window.__focusNotVisible = () => {
    const el = document.activeElement;
    if (!el || el === document.body) return 'nothing has the focus';
    const rect = el.getBoundingClientRect();
    if (rect.width < 1 || rect.height < 1) return 'it has no size on screen';
    if (rect.bottom <= 0 || rect.top >= innerHeight || rect.right <= 0 || rect.left >= innerWidth) {
      return 'it is outside the window';
    }
    const x = Math.min(Math.max(rect.left + rect.width / 2, 0), innerWidth - 1);
    const y = Math.min(Math.max(rect.top + rect.height / 2, 0), innerHeight - 1);
    const top = document.elementFromPoint(x, y);
    if (top && top !== el && !el.contains(top) && !(top.control === el)) {
      return 'it is covered by ' + window.__describeElement(top);
    }
    const s = getComputedStyle(el);
    const outline = rgba(s.outlineColor);
    if (s.outlineStyle === 'auto') return '';  // the browser's own ring, two-toned to show on any colour
    if (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 && outline && outline.a > 0) {
      const ratio = contrast(outline, backgroundAround(el));
      if (ratio >= 3) return '';
      return `its outline ${s.outlineColor} has a contrast of ${ratio.toFixed(2)}:1 with what is around it`;
    }
    const before = looks.get(el);
    if (before) {
      const now = look(el);
      if (now.boxShadow !== before.boxShadow || now.border !== before.border || now.background !== before.background) {
        return '';
      }
    }
    return 'it has no outline and looks as it does without the focus';
  };
})();
"""


def install_focus_probe(context) -> None:
    context.add_init_script(script=_PROBE)


def focused(page) -> str:
    return page.evaluate("() => window.__describeElement(document.activeElement)")


def tab_to(page, selector: str, *, backwards: bool = False, limit: int = DEFAULT_LIMIT) -> str:
    """Press Tab (Shift+Tab when backwards) until the focused element matches `selector` (none
    when it has the focus already, as a field with autofocus); every element focused on the way
    must show its focus. Returns the description of the one reached."""
    key = "Shift+Tab" if backwards else "Tab"
    met: list[str] = []
    for presses in range(limit + 1):
        if presses:
            page.keyboard.press(key)
        described = focused(page)
        met.append(described)
        if described != "(the page itself)":
            assert_focus_visible(page)
        if page.evaluate("selector => !!document.activeElement && document.activeElement.matches(selector)", selector):
            return described
    raise AssertionError(f"{limit} presses of {key} never reached {selector!r}; focused in turn:\n  " + "\n  ".join(met))


def assert_focus_visible(page) -> None:
    problem = page.evaluate("() => window.__focusNotVisible()")
    assert problem == "", f"the focus on {focused(page)} at {page.url} cannot be seen: {problem}"
