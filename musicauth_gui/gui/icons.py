"""Icons and styles from the compiled resource module (``_rc.py``, built from ``resources/`` by
``resources/compile.py``), so they load from the installed package, never the source tree.

Icons are SVGs drawn in explicit mid-tone or coloured strokes that read on light and dark
backgrounds alike (QIcon does not recolour SVGs with the palette), so there is one set, not a
light and a dark one. The two style sheets, ``:/styles/light.qss`` and ``:/styles/dark.qss``,
only add polish on top of the platform style; :func:`apply_theme` picks one and follows the
system's colour scheme when it changes, unless the user chose light or dark (Preferences).

Names other code can rely on:

- :func:`icon`: ``add copy delete devtoken discover edit export filter generate hide import info
  key renew reveal save settings sign-in sign-out try tray``, and ``musicauth`` (the app icon);
- :func:`provider_icon`: ``groove groove-user musixmatch musicapi apple-music spotify soundcloud
  oauth2 tidal musicbrainz genius deezer google apikey lastfm discogs``, by preset id (anything
  else gets the generic ``oauth2`` icon);
- :func:`state_icon`: ``valid renewing needs-sign-in error none expired`` (anything else: ``none``).

What the style sheets target is listed in ``resources/styles/light.qss``.
"""

from __future__ import annotations

import logging
import re
from functools import cache
from typing import TYPE_CHECKING

# Not ``Qt``: PySide builds the whole Qt namespace (every enum in it, ~25 ms) on first touch,
# and this module runs before the first paint. Functions that need it import it after. Not
# ``QFile`` either: its class and its bases' (QFileDevice, QIODevice, QIODeviceBase: ~0.9 ms
# with their enums) are built on first use, and the resources are read by ``QResource``.
from PySide6.QtCore import QResource
from PySide6.QtGui import QFont, QGuiApplication, QIcon, QPalette
from PySide6.QtWidgets import QApplication, QWidget

try:  # the generated module registers ":/icons/..." and ":/styles/..." with Qt
    from . import _rc  # noqa: F401 - imported for that side effect
except ImportError:  # pragma: no cover - only before the first resources/compile.py run
    pass

if TYPE_CHECKING:
    from PySide6.QtSvg import QSvgRenderer

log = logging.getLogger(__name__)

#: By preset id. Last.fm and Discogs are here before their presets land: keyed by the id, their
#: icons show as soon as a preset with that id exists.
PROVIDERS = (
    "groove", "groove-user", "musixmatch", "musicapi", "apple-music", "spotify", "soundcloud", "oauth2",
    "tidal", "musicbrainz", "genius", "deezer", "google", "apikey", "lastfm", "discogs",
)  # fmt: skip
STATES = ("valid", "renewing", "needs-sign-in", "error", "none", "expired")
#: States drawn with another state's icon (a damaged keyring entry is an error of its own kind;
#: a sign-in under way is, like a renewal, work in progress, and so is a renewal to be retried).
STATE_ICON_ALIASES = {"damaged": "error", "signing-in": "renewing", "retrying": "renewing"}
ACTIONS = (
    "copy", "reveal", "hide", "key", "sign-in", "sign-out", "renew", "try", "add", "edit", "import",
    "export", "delete", "generate", "save", "discover", "filter", "settings", "devtoken", "tray", "info",
)  # fmt: skip

#: Heading size relative to the application font (QSS only knows pt and px, not em).
HEADING_SCALE = 1.3

_THEME_HOOKED = "_musicauthThemeHooked"
#: The theme preference last applied (``system``, ``light``, ``dark``), on the application object.
_THEME_CHOICE = "_musicauthTheme"
#: Whether the application palette is one of ours (``palettes``), to be dropped for ``system``.
_OWN_PALETTE = "_musicauthOwnPalette"


@cache
def icon(name: str) -> QIcon:
    """The icon ``:/icons/<name>.svg`` (an empty icon, and one warning in the log, when there is none)."""
    path = f":/icons/{name}.svg"
    if not QResource(path).isValid():
        # Checked first: QIcon would otherwise print a qt.svg warning on every paint.
        log.warning("no icon named %r in the resources", name)
        return QIcon()
    return QIcon(path)


def provider_icon(provider: str) -> QIcon:
    """The provider's icon; a custom provider gets the generic OAuth 2.0 one."""
    return icon(f"provider-{provider if provider in PROVIDERS else 'oauth2'}")


def state_icon(state: str) -> QIcon:
    """The small badge for a token state (``valid``, ``renewing``, ``needs-sign-in``, ...)."""
    state = STATE_ICON_ALIASES.get(state, state)
    return icon(f"state-{state if state in STATES else 'none'}")


#: The state icons' circle (``resources/icons/state-*.svg``): recoloured per theme by
#: ``state_marker``; the glyph on it is the SVGs' only white.
_MARKER_FILL = re.compile(r'(<circle cx="12" cy="12" r="10\.5" fill=")#[0-9a-fA-F]{6}')
_GLYPH = "#ffffff"


@cache
def state_marker(state: str, fill: str, glyph: str) -> QSvgRenderer | None:
    """The state icon with its circle in ``fill`` and its glyph in ``glyph`` (``#rrggbb``), to
    paint with ``render(painter, rect)``: the profile list draws its markers in the theme's
    colours (``state_colours.py``). None, and one warning, when the icon has no such circle."""
    from PySide6.QtCore import QByteArray
    from PySide6.QtSvg import QSvgRenderer

    state = STATE_ICON_ALIASES.get(state, state)
    path = f":/icons/state-{state if state in STATES else 'none'}.svg"
    data = _resource(path)
    if data is None:
        log.warning("cannot read the icon %s: not in the resources", path)
        return None
    source = data.decode("utf-8")
    # The glyph first: a white marker (a selected row's) must not then turn into glyph colour.
    themed, found = _MARKER_FILL.subn(lambda match: match.group(1) + fill, source.replace(_GLYPH, glyph), count=1)
    if not found:
        log.warning("the icon %s has no marker circle to colour", path)
        return None
    return QSvgRenderer(QByteArray(themed.encode("utf-8")))


def _resource(path: str) -> bytes | None:
    """The contents of the resource file ``path`` (``:/...``), uncompressed; None when there is none."""
    resource = QResource(path)
    if not resource.isValid() or resource.isDir():
        return None
    return bytes(resource.uncompressedData().data())


def app_icon() -> QIcon:
    return icon("musicauth")


def tray_icon() -> QIcon:
    """A monochrome mid-grey glyph of the app icon, for system trays and panels."""
    return icon("tray")


def stylesheet(dark: bool) -> str:
    """The contents of ``:/styles/dark.qss`` or ``:/styles/light.qss``, ready for ``setStyleSheet``.

    The ``@heading_size@`` placeholder is replaced by a point (or pixel) size relative to the
    application font, so headings scale with the user's font settings.
    """
    path = f":/styles/{'dark' if dark else 'light'}.qss"
    data = _resource(path)
    if data is None:
        log.warning("cannot read the style sheet %s: not in the resources", path)
        return ""
    # What QFile's text mode reads: every carriage return dropped.
    text = data.decode("utf-8").replace("\r", "")
    return text.replace("@heading_size@", _heading_size(QGuiApplication.font()))


def _heading_size(base: QFont) -> str:
    if base.pointSizeF() > 0:
        return f"{base.pointSizeF() * HEADING_SCALE:.1f}pt"
    return f"{round(max(base.pixelSize(), 12) * HEADING_SCALE)}px"


def is_dark(app: QGuiApplication | None = None) -> bool:
    """Whether the application currently shows a dark palette.

    Qt 6.5+ reports the system's colour scheme; where it is unknown (e.g. no platform theme, as
    offscreen or on a bare X11 session), compare the window and text lightness of the palette.
    """
    from PySide6.QtCore import Qt

    if app is None:
        running = QGuiApplication.instance()
        if not isinstance(running, QGuiApplication):
            return False
        app = running
    scheme = _color_scheme(app)
    if scheme == Qt.ColorScheme.Dark:
        return True
    if scheme == Qt.ColorScheme.Light:
        return False
    return _palette_is_dark(app.palette())


def _color_scheme(app: QGuiApplication) -> object:
    hints = app.styleHints()
    get = getattr(hints, "colorScheme", None)  # Qt >= 6.5
    return get() if get is not None else None


def _palette_is_dark(palette: QPalette) -> bool:
    window = palette.color(QPalette.ColorRole.Window)
    text = palette.color(QPalette.ColorRole.WindowText)
    return window.lightness() < text.lightness()


def apply_theme(app: QApplication, choice: str = "system") -> bool:
    """Set the style sheet (and where needed the palette) for ``choice``, and follow the system.

    ``choice`` is a preference (``gui/settings.py``): ``system`` matches the desktop's colour
    scheme and follows its later changes; ``light`` and ``dark`` ask the platform for that
    scheme (Qt 6.8+) and, where it does not comply, set an explicit palette (``palettes``).
    Safe to call again with another choice (the Preferences dialog applies it live): the sheet
    is set again only when it changes, and the change signal is connected only the first time.

    Returns:
        Whether the dark style sheet is applied.
    """
    from PySide6.QtCore import Qt

    app.setProperty(_THEME_CHOICE, choice)
    hints = app.styleHints()
    if choice in ("light", "dark"):
        dark = choice == "dark"
        if hasattr(hints, "setColorScheme"):  # Qt >= 6.8
            hints.setColorScheme(Qt.ColorScheme.Dark if dark else Qt.ColorScheme.Light)
        _force_palette(app, dark)
    else:
        if hasattr(hints, "unsetColorScheme"):
            hints.unsetColorScheme()
        if app.property(_OWN_PALETTE):
            # An empty palette resolves every role against the platform theme's again.
            app.setPalette(QPalette())
            app.setProperty(_OWN_PALETTE, False)
        dark = is_dark(app)
    _set_sheet(app, dark)
    if hasattr(hints, "colorSchemeChanged") and not app.property(_THEME_HOOKED):
        app.setProperty(_THEME_HOOKED, True)
        hints.colorSchemeChanged.connect(lambda scheme: _on_color_scheme_changed(app, scheme))
    return dark


def apply_initial_theme(app: QApplication, choice: str = "system") -> bool:
    """Before the first paint: the style sheet for the palette's lightness alone, or ``choice``.

    Asking for the colour scheme returns a ``Qt.ColorScheme``, and the first ``Qt`` enum builds
    PySide's whole Qt namespace (~25 ms). The palette agrees with the scheme wherever a platform
    theme sets both; ``apply_theme`` after the paint corrects the rare place where they differ.
    A chosen ``light`` or ``dark`` sets its palette now when the current one is the other kind,
    so the first paint is already in the chosen colours.
    """
    app.setProperty(_THEME_CHOICE, choice)
    if choice in ("light", "dark"):
        dark = choice == "dark"
        _force_palette(app, dark)
    else:
        dark = _palette_is_dark(app.palette())
    _set_sheet(app, dark)
    return dark


def _force_palette(app: QApplication, dark: bool) -> None:
    """Our palette where the platform's is the other kind (or ours is set already)."""
    if app.property(_OWN_PALETTE) or _palette_is_dark(app.palette()) != dark:
        from .palettes import palette

        app.setPalette(palette(dark))
        app.setProperty(_OWN_PALETTE, True)


def _set_sheet(app: QApplication, dark: bool) -> None:
    sheet = stylesheet(dark)
    if app.styleSheet() != sheet:  # setting an identical sheet still restyles every widget
        app.setStyleSheet(sheet)


def _on_color_scheme_changed(app: QApplication, scheme: object) -> None:
    from PySide6.QtCore import Qt

    if app.property(_THEME_CHOICE) in ("light", "dark"):
        return  # the user's choice stands, whatever the desktop does
    if scheme == Qt.ColorScheme.Unknown:
        dark = _palette_is_dark(app.palette())
    else:
        dark = scheme == Qt.ColorScheme.Dark
    _set_sheet(app, dark)


def recolour(widget: QWidget) -> None:
    """``repolish`` for a dynamic property whose rules set colours alone (the badge's ``state``:
    its box, padding and font come from the rule every badge matches).

    Sending the widget a Polish event has its style sheet's rules matched again without asking
    for its style, which would build PySide's ``QStyle`` class and its enums (~0.5 MB of RSS)
    in a window at rest. Polishing without unpolishing first leaves the box model (padding,
    border widths) of rules that no longer match, hence colours alone; the pixels are
    ``repolish``'s (tests/gui/test_recolour.py).
    """
    from PySide6.QtCore import QCoreApplication, QEvent

    QCoreApplication.sendEvent(widget, QEvent(QEvent.Type.Polish))
    widget.update()


def repolish(widget: QWidget) -> None:
    """Re-apply style-sheet rules after a dynamic property (``kind``, ``state``, ``role``) changed.

    Qt matches property selectors only when a widget is polished, so e.g.
    ``banner.setProperty("kind", "info")`` on a visible banner shows no change without this.

    A widget not polished yet is left alone: its first polish (when it is shown, or first
    measured) reads the properties as they are then. Asking for its style now would build
    PySide's ``QStyle`` class and its enums (~0.5 MB of RSS) for a pane not even shown yet.
    """
    from PySide6.QtCore import Qt

    if not widget.testAttribute(Qt.WidgetAttribute.WA_WState_Polished):
        return
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    widget.update()
