"""What a page offers a keyboard or screen-reader user, measured in the browser itself.

Accessible names come from chromium's own accessibility tree (the names a screen reader would
read), looked up for every visible interactive element. Contrast is computed from computed styles
(WCAG 2 relative luminance), focus visibility from the focused element's computed outline.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from playwright.sync_api import Page

__all__ = ["CONTROLS", "FocusStop", "TextContrast", "contrast_failures", "focus_stops",
           "horizontal_overflow", "images_without_alt", "text_contrasts", "unnamed_controls"]

#: Interactive elements: the brief's list and the ARIA roles that make an element one.
CONTROLS = ", ".join([
    "input:not([type=hidden])", "select", "textarea", "button", "a[href]", "[role=slider]",
    "[role=button]", "[role=link]", "[role=checkbox]", "[role=switch]", "[role=radio]",
    "[role=tab]", "[role=combobox]", "[role=textbox]", "[role=menuitem]", "[role=spinbutton]",
])


def _ax_name(cdp: Any, node_id: int) -> tuple[bool, str, str]:
    """(ignored, role, name) of one DOM node as chromium's accessibility tree has it."""
    tree = cdp.send("Accessibility.getPartialAXTree", {"nodeId": node_id, "fetchRelatives": False})
    node = tree["nodes"][0]
    role = str(node.get("role", {}).get("value", ""))
    name = str(node.get("name", {}).get("value", "")).strip()
    return bool(node.get("ignored", False)), role, name


def unnamed_controls(page: Page) -> list[str]:
    """Visible interactive elements whose accessible name is empty, as short markup snippets."""
    cdp = page.context.new_cdp_session(page)
    try:
        root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        found = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": CONTROLS})
        bad = []
        for node_id in found["nodeIds"]:
            ignored, role, name = _ax_name(cdp, node_id)
            if ignored or role in {"none", "presentation"} or name:
                continue  # hidden from everyone, or named
            html = cdp.send("DOM.getOuterHTML", {"nodeId": node_id})["outerHTML"]
            bad.append(f"{role}: {html[:160]}")
        return bad
    finally:
        cdp.detach()


def images_without_alt(page: Page) -> list[str]:
    """Images with neither an alt text nor aria-hidden (decorative images say alt="")."""
    found: list[str] = page.evaluate("""() => [...document.querySelectorAll('img, [role=img]')]
        .filter(e => !e.closest('[aria-hidden=true]'))
        .filter(e => e.tagName === 'IMG' ? !e.hasAttribute('alt')
                     : !(e.getAttribute('aria-label') || e.getAttribute('aria-labelledby')
                         || e.getAttribute('title')))
        .map(e => e.outerHTML.slice(0, 160))""")
    return found


def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the document is wider than the viewport (0 when it fits)."""
    width: int = page.evaluate("""() => Math.max(document.documentElement.scrollWidth,
        document.body.scrollWidth) - document.documentElement.clientWidth""")
    return width


@dataclass(frozen=True)
class FocusStop:
    """Where one Tab press landed, what a screen reader calls it, and whether the element shows
    that it has the focus."""

    element: str
    role: str
    name: str
    visible: bool
    style: str


_FOCUSED_JS = """() => {
    const e = document.activeElement;
    if (!e || e === document.body) return null;
    const s = getComputedStyle(e);
    const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
    const shadow = s.boxShadow && s.boxShadow !== 'none';
    return {element: e.outerHTML.slice(0, 120), visible: Boolean(outline || shadow),
            style: `outline: ${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor};`
                   + ` box-shadow: ${s.boxShadow}`};
}"""


def _focused_name(cdp: Any) -> tuple[str, str]:
    found = cdp.send("Runtime.evaluate", {"expression": "document.activeElement"})
    cdp.send("DOM.getDocument", {"depth": 0})
    node_id = cdp.send("DOM.requestNode", {"objectId": found["result"]["objectId"]})["nodeId"]
    _, role, name = _ax_name(cdp, node_id)
    return role, name


def focus_stops(page: Page, presses: int) -> list[FocusStop]:
    """Press Tab ``presses`` times; for each stop, its name and whether focus is drawn."""
    cdp = page.context.new_cdp_session(page)
    stops = []
    try:
        for _ in range(presses):
            page.keyboard.press("Tab")
            info: dict[str, Any] | None = page.evaluate(_FOCUSED_JS)
            if info is not None:
                role, name = _focused_name(cdp)
                stops.append(FocusStop(info["element"], role, name, info["visible"],
                                       info["style"]))
    finally:
        cdp.detach()
    return stops


@dataclass(frozen=True)
class TextContrast:
    text: str
    colour: str
    background: str
    ratio: float


#: Colours are normalised by painting them on a canvas, so any CSS colour syntax works
#: (rgb(), oklch(), color-mix() ...). Backgrounds are composed up the ancestors to an opaque one
#: (white at the root, the browser's default).
_CONTRAST_JS = """(limit) => {
  const ctx = document.createElement('canvas').getContext('2d', {willReadFrequently: true});
  const rgba = (css) => {
    ctx.clearRect(0, 0, 1, 1); ctx.fillStyle = '#000'; ctx.fillStyle = css;
    ctx.fillRect(0, 0, 1, 1);
    const d = ctx.getImageData(0, 0, 1, 1).data;
    return [d[0], d[1], d[2], d[3] / 255];
  };
  const over = (top, below) => {
    const a = top[3];
    return [0, 1, 2].map(i => top[i] * a + below[i] * (1 - a)).concat([1]);
  };
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] >= 1) break;
    }
    let bg = [255, 255, 255, 1];
    for (const c of layers.reverse()) bg = over(c, bg);
    return bg;
  };
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const ratio = (a, b) => {
    const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const own = (e) => [...e.childNodes].filter(n => n.nodeType === 3)
    .map(n => n.textContent).join('').trim();
  const out = [];
  for (const e of document.body.querySelectorAll('*')) {
    const text = own(e);
    if (!text || e.closest('[aria-hidden=true], [hidden]') || e.matches(':disabled')) continue;
    const box = e.getBoundingClientRect();
    const s = getComputedStyle(e);
    if (!box.width || !box.height || s.visibility !== 'visible' || Number(s.opacity) === 0)
      continue;
    const bg = background(e);
    const fg = over(rgba(s.color), bg);
    out.push({text: text.slice(0, 40), colour: s.color, background: `rgb(${bg.slice(0, 3)})`,
              ratio: Math.round(ratio(fg, bg) * 100) / 100});
    if (out.length >= limit) break;
  }
  return out;
}"""


def text_contrasts(page: Page, limit: int = 2000) -> list[TextContrast]:
    return [TextContrast(**c) for c in page.evaluate(_CONTRAST_JS, limit)]


def contrast_failures(page: Page, minimum: float = 4.5) -> list[TextContrast]:
    """Visible text whose colour on its background is below ``minimum`` (WCAG AA: 4.5:1)."""
    return [c for c in text_contrasts(page) if c.ratio < minimum]
