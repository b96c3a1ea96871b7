"""The selected profile: its token (masked), copy buttons, expiry, actions and answers."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..core.errors import MusicAuthError, NeedsSignIn
from ..core.expiry import remaining_fraction
from ..core.jws import decode_unverified
from ..core.model import ProfileRecord
from ..core.presets import get_preset
from ..core.renewal import needs_renewal
from ..core.secret import scrub
from ..core.sign_in import SignIn
from ..core.state import ProfileState, StateKind
from ..core.usage import curl_line, try_url
from . import answer_text
from .countdown import format_age, format_remaining
from .error_actions import ErrorActions
from .icons import icon, provider_icon, recolour
from .local_time import local_time
from .messages import error_text, message_text, running_text, signed_out_text
from .profile_action_rules import ProfileAction
from .profile_actions import ProfileActions, bind_button
from .profile_model import STATE_LABELS, badge_text, state_key
from .running_actions import RunningActions, Stop, stop_for
from .tasks import spawn
from .widgets.flow_layout import FlowLayout
from .widgets.message_line import MessageLine
from .widgets.pane_header import pane_header
from .widgets.secret_field import SecretField

if TYPE_CHECKING:  # the context module imports the engine: opening the store does that
    from .context import AppContext
    from .widgets.device_code_box import DeviceCodeBox


def _text_view(object_name: str, accessible_name: str) -> QPlainTextEdit:
    """A read-only view of text in the fixed-width font (a tab of the token's details)."""
    view = QPlainTextEdit()
    view.setObjectName(object_name)
    view.setAccessibleName(accessible_name)
    view.setReadOnly(True)
    view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    return view


def open_in_system_browser(url: str) -> None:
    """The system browser through Qt (it honours the desktop's default, and $BROWSER on Linux)."""
    QDesktopServices.openUrl(QUrl(url))


BROWSER_WAITING = "Waiting for the browser… finish the sign-in there."
#: The Sign in button's words: once more for a token nothing else can replace (no refresh, no
#: known expiry: an Apple Music user token), since a new sign-in is its only renewal.
SIGN_IN_WORDS, SIGN_IN_AGAIN_WORDS = "&Sign in", "&Sign in again"
#: The Expires row of such a token.
NO_KNOWN_EXPIRY = "unknown: it lasts until the provider refuses it; then sign in again"
DEVICE_WAITING = "Open the link on any device (a phone will do) and enter this code; waiting for approval…"
DEVICE_WAITING_QR = "Scan the QR code with a phone, or open the link on any device and enter this code; waiting for approval…"
NO_TOKEN_YET = "no token yet"
#: The countdown and the Expires row of a key or token that never expires (a static key, a
#: Last.fm session key, a Discogs OAuth 1.0a token): words, where a bar would sit empty.
NEVER_EXPIRES = "never expires"
NEVER_EXPIRES_SIGNED_IN = "never (until signed out or revoked at the provider)"
NEVER_EXPIRES_KEY = "never (until revoked at the provider)"
STATIC_KEY_HIDDEN = "kept in the keyring: Get token shows it here"

#: Badge states styled as another state (the style sheets know no more).
BADGE_STYLE_ALIASES = {"signing-in": "renewing", "retrying": "needs-sign-in"}  # amber: a warning

#: The profile action each of ``run_action``'s names is (what RunningActions records).
RUN_ACTIONS = {
    "get": ProfileAction.GET_TOKEN,
    "renew": ProfileAction.RENEW,
    "sign_out": ProfileAction.SIGN_OUT,
    "try": ProfileAction.TRY_IT,
    "introspect": ProfileAction.INTROSPECT,
}


class ProfileDetailPane(QWidget):
    """Signals:
        status_message(str): a short line for the status bar ("Copied the token; ...").
        action_failed(str, str): profile name and the one-line error of an action.
        sign_in_changed(str, bool): profile name; whether its browser sign-in is now under way.
    """

    status_message = Signal(str)
    action_failed = Signal(str, str)
    sign_in_changed = Signal(str, bool)

    def __init__(self, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context: AppContext | None = None
        self.name: str | None = None
        self._state = "none"
        #: The user's actions still running, per profile (the window's; ``use_running``).
        self.running = RunningActions(self)
        #: The token the shown answer was got with: another token (renewed, signed out) clears it.
        self._answered_token: object = None
        #: The badge's words for the shown state ("retrying at 14:03:22"); None: its label.
        self._badge_words: str | None = None
        #: What a message's buttons do (the window's ``use_error_actions``); None: no buttons.
        self.error_actions: ErrorActions | None = None
        #: How "Sign in" opens the browser; tests put a stand-in browser here.
        self.open_browser: Callable[[str], None] = open_in_system_browser
        self._build()
        self.show_profile(None, None)

    # -- layout ---------------------------------------------------------------------------------

    def _build(self) -> None:
        # In a scroll area, down only: at 800x500 the pane is taller than the window, and a
        # squeezed pane clipped its rows instead. Across, it wraps (the button rows) instead.
        page = QVBoxLayout(self)
        page.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setObjectName("detailScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the pane's controls take the focus; it scrolls to them
        body = QWidget()
        body.setObjectName("detailBody")
        scroll.setWidget(body)
        page.addWidget(scroll)
        outer = QVBoxLayout(body)
        outer.setContentsMargins(16, 12, 16, 12)
        outer.setSpacing(10)

        head = pane_header(title_object_name="profileTitle")
        self.icon_label, self.title, self.subtitle, self.badge = head.icon, head.title, head.subtitle, head.badge
        outer.addLayout(head.layout)

        self.sign_in_banner = QFrame()
        self.sign_in_banner.setObjectName("signInBanner")
        self.sign_in_banner.setProperty("banner", True)  # framed, coloured by kind (the style sheets)
        self.sign_in_banner.setProperty("kind", "info")
        banner_rows = QVBoxLayout(self.sign_in_banner)
        banner = QHBoxLayout()
        banner_rows.addLayout(banner)
        self.sign_in_text = QLabel(BROWSER_WAITING)
        self.sign_in_text.setWordWrap(True)
        banner.addWidget(self.sign_in_text, 1)
        self.copy_url_button = self._button("Copy sign-in URL", "copy", "copySignInUrlButton", self._copy_sign_in_url)
        self.cancel_button = self._button("Cancel", None, "cancelSignInButton", self.cancel_sign_in)
        banner.addWidget(self.copy_url_button)
        banner.addWidget(self.cancel_button)
        self._banner_rows = banner_rows  # the device code box goes under it, when first needed
        self._device_box: DeviceCodeBox | None = None
        outer.addWidget(self.sign_in_banner)

        # What the user started and is still running on this profile, with its Cancel.
        self.progress_banner = QFrame()
        self.progress_banner.setObjectName("progressBanner")
        self.progress_banner.setProperty("banner", True)
        self.progress_banner.setProperty("kind", "info")
        progress = QHBoxLayout(self.progress_banner)
        self.progress_text = QLabel()
        self.progress_text.setObjectName("progressText")
        self.progress_text.setWordWrap(True)
        progress.addWidget(self.progress_text, 1)
        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("progressBusy")
        self.progress_bar.setTextVisible(False)
        self.progress_bar.setMaximumWidth(120)
        progress.addWidget(self.progress_bar)
        self.cancel_running_button = self._button("Cancel", None, "cancelRunningButton")
        progress.addWidget(self.cancel_running_button)
        self.progress_banner.hide()
        outer.addWidget(self.progress_banner)

        # What went wrong, with its actions as buttons ("Sign in", "Edit Client secret", "Retry").
        self.error_line = MessageLine(object_name="errorLine")
        self.error_label = self.error_line.label
        outer.addWidget(self.error_line)

        self.token_field = SecretField(read_only=True, placeholder=NO_TOKEN_YET)
        self.token_field.setObjectName("tokenField")
        self.token_field.setAccessibleName("Access token")
        self.token_field.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        outer.addWidget(self.token_field)

        copies = FlowLayout(spacing=8)
        self.copy_token_button = self._button("Copy &token", "copy", "copyTokenButton")
        self.copy_header_button = self._button("Copy &header", "copy", "copyHeaderButton")
        self.copy_curl_button = self._button("Copy c&url", "copy", "copyCurlButton")
        for b in (self.copy_token_button, self.copy_header_button, self.copy_curl_button):
            copies.addWidget(b)
        outer.addLayout(copies)

        life = QHBoxLayout()
        self.expiry_bar = QProgressBar()
        self.expiry_bar.setObjectName("expiry")
        self.expiry_bar.setRange(0, 1000)
        self.expiry_bar.setTextVisible(False)
        life.addWidget(self.expiry_bar, 1)
        self.countdown = QLabel()
        self.countdown.setObjectName("countdown")
        self.countdown.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        life.addWidget(self.countdown)
        outer.addLayout(life)

        form = self._times_form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # the times go under their labels when narrow
        self.issued_label = QLabel()
        self.expires_label = QLabel()
        self.refresh_label = QLabel()
        self.refresh_label.setObjectName("refreshExpiry")
        # Who the token is for, where the provider names the account (Last.fm's session user).
        self.account_label = QLabel()
        self.account_label.setObjectName("accountLabel")
        self.account_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.account_row_label = QLabel("Account:")
        form.addRow(self.account_row_label, self.account_label)
        form.addRow("Issued:", self.issued_label)
        form.addRow("Expires:", self.expires_label)
        self.refresh_row_label = QLabel("Refresh token expires:")
        form.addRow(self.refresh_row_label, self.refresh_label)
        self.auto_renew = QCheckBox("&Auto-renew before expiry")
        self.auto_renew.setObjectName("autoRenewCheck")
        self.auto_renew.toggled.connect(self._auto_renew_toggled)
        form.addRow("", self.auto_renew)
        outer.addLayout(form)

        actions = FlowLayout(spacing=8)
        self.get_token_button = self._button("&Get token", "renew", "getTokenButton")
        self.sign_in_button = self._button(SIGN_IN_WORDS, "sign-in", "signInButton")
        self.renew_button = self._button("&Renew now", "renew", "renewButton")
        self.sign_out_button = self._button("Sign &out", "sign-out", "signOutButton")
        self.try_button = self._button("Tr&y it", "try", "tryButton")
        self.introspect_button = self._button("&Introspect", "info", "introspectButton")
        for b in (
            self.get_token_button,
            self.sign_in_button,
            self.renew_button,
            self.sign_out_button,
            self.try_button,
            self.introspect_button,
        ):
            actions.addWidget(b)
        outer.addLayout(actions)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("answerTabs")
        self.tabs.setMinimumHeight(140)  # a few lines of claims, not a sliver, in a short window
        self.tabs.setAccessibleName("Token details")
        self.jwt_view = _text_view("jwtView", "Token claims")
        self.tabs.addTab(self.jwt_view, "Token claims")
        # The answer's view goes in its page when the tab is first shown or an answer comes (a
        # window at rest has none: ~0.1 MB).
        self.answer_page = QWidget()
        self.answer_page.setObjectName("answerPage")
        QVBoxLayout(self.answer_page).setContentsMargins(0, 0, 0, 0)
        self._answer_view: QPlainTextEdit | None = None
        self.tabs.addTab(self.answer_page, "Provider answer")
        self.tabs.currentChanged.connect(self._on_tab_changed)
        outer.addWidget(self.tabs, 1)
        # Never narrower than what it wraps to: no sideways scroll bar, and nothing clipped.
        scroll.setMinimumWidth(body.minimumSizeHint().width() + scroll.verticalScrollBar().sizeHint().width())

    @property
    def answer_view(self) -> QPlainTextEdit:
        """The provider's answer to Try it or Introspect, in the second tab (made when first
        asked for)."""
        if self._answer_view is None:
            self._answer_view = _text_view("answerView", "Provider answer")
            layout = self.answer_page.layout()
            assert layout is not None
            layout.addWidget(self._answer_view)
        return self._answer_view

    def _clear_answer(self) -> None:
        if self._answer_view is not None:
            self._answer_view.clear()

    def _on_tab_changed(self, _index: int) -> None:
        if self.tabs.currentWidget() is self.answer_page:
            _ = self.answer_view  # made as its tab is first shown, empty

    def use_running(self, running: RunningActions) -> None:
        """Record the actions started here in ``running`` (the window's, which the rows, the
        tray and the action rules read too) and show the shown profile's from it."""
        self.running = running
        running.changed.connect(self._on_running_changed)

    def use_error_actions(self, actions: ErrorActions) -> None:
        """Offer each message's actions as buttons that ``actions`` carries out."""
        self.error_actions = actions

    def _button(
        self, text: str, icon_name: str | None, object_name: str, slot: Callable[[], None] | None = None
    ) -> QPushButton:
        """A button; without ``slot``, one of the profile actions' faces (``use_actions``)."""
        button = QPushButton(icon(icon_name), text) if icon_name else QPushButton(text)
        button.setObjectName(object_name)
        if slot is not None:
            button.clicked.connect(slot)
        return button

    # -- showing a profile ---------------------------------------------------------------------

    @property
    def device_box(self) -> DeviceCodeBox:
        """A device sign-in's code, page and QR code, under the sign-in banner's text: built
        (hidden) when first asked for, at the first device sign-in shown."""
        if self._device_box is None:
            from .widgets.device_code_box import DeviceCodeBox

            # Through a lambda: tests put their stand-in browser in ``open_browser`` later.
            box = DeviceCodeBox(copy_code=self._copy_device_code, open_link=lambda url: self.open_browser(url))
            box.hide()
            self._banner_rows.addWidget(box)
            self._device_box = box
        return self._device_box

    def set_context(self, context: AppContext) -> None:
        self.context = context

    def show_profile(
        self,
        record: ProfileRecord | None,
        state: str | None,
        message: str | None = None,
        *,
        hint: str | None = None,
        profile_state: ProfileState | None = None,
    ) -> None:
        """Show ``record`` (None: nothing selected) in ``state`` with an optional error line;
        ``hint``: what to say under "No profile selected" instead of how to add one (the filter
        hides every profile, say); ``profile_state``: the state itself, for what the key alone
        does not say (when a failed renewal is retried)."""
        has = record is not None
        for widget in (self.token_field, self.expiry_bar, self.countdown, self.tabs, self.auto_renew):
            widget.setEnabled(has)
        if record is None:
            self.name = None
            self.title.setText("No profile selected")
            self.subtitle.setText(hint or "Add one with Ctrl+N, or import a profiles file.")
            self.badge.clear()
            self.badge.hide()  # an empty pill, still coloured by the last state, says nothing
            self.icon_label.clear()
            self.token_field.clear_secret()
            self.sign_in_banner.hide()
            self.progress_banner.hide()
            self.error_line.clear()
            self.countdown.clear()
            self.jwt_view.clear()
            self._clear_answer()
            return
        switched = record.name != self.name
        self.name = record.name
        self._state = state or "none"
        profile = record.profile
        preset = get_preset(profile.provider)
        self.icon_label.setPixmap(provider_icon(profile.provider).pixmap(40, 40))
        self.title.setText(profile.name)
        # A static key has no client id: no dangling "·" after its flow.
        parts = (preset.label, profile.flow.replace("_", " "), profile.client_id or profile.team_id)
        self.subtitle.setText(" · ".join(part for part in parts if part))
        now = self.context.engine.clock.now() if self.context is not None else None
        if profile_state is not None and now is not None:
            self._state = state_key(profile_state, now)
        self._badge_words = badge_text(profile_state, now) if profile_state is not None and now is not None else None
        self._show_badge()
        token = record.token
        if switched:
            self.token_field.set_revealed(False)
        if switched or token != self._answered_token:
            # An answer got with another profile's token, or with a token since renewed or
            # signed out, no longer says anything about this one.
            self._clear_answer()
            self._answered_token = token
        # A static key is never stored as a token: Get token shows it (``run_action``), and it
        # stays shown while its profile is.
        static = profile.flow == "static"
        self.token_field.setPlaceholderText(STATIC_KEY_HIDDEN if static else NO_TOKEN_YET)
        if not (static and token is None and not switched):
            self.token_field.setText(token.access_token.reveal() if token else "")
        self.issued_label.setText(local_time(token.issued_at) if token else "—")
        never = never_expires(record)
        if never and (static or token is not None):
            self.expires_label.setText(NEVER_EXPIRES_KEY if static else NEVER_EXPIRES_SIGNED_IN)
        else:
            self.expires_label.setText(local_time(token.expires_at) if token else "—")  # tick() may say more
        # Nothing to fill: no bar; a key has no issue time, and a missing one is no news.
        self.expiry_bar.setVisible(not never)
        self._times_form.setRowVisible(self.issued_label, not (never and (token is None or token.issued_at is None)))
        account = token.account if token else None
        self.account_label.setText(account or "")
        self.account_label.setVisible(account is not None)
        self.account_row_label.setVisible(account is not None)
        # A grant that needs a new sign-in (revoked, expired) has no refresh token to speak of.
        refresh_expiry = token.refresh_expires_at if token and not record.status.needs_sign_in else None
        self.refresh_label.setText(local_time(refresh_expiry))
        self.refresh_label.setVisible(refresh_expiry is not None)
        self.refresh_row_label.setVisible(refresh_expiry is not None)
        self.auto_renew.blockSignals(True)
        self.auto_renew.setChecked(profile.auto_renew)
        self.auto_renew.blockSignals(False)
        self.auto_renew.setVisible(profile.flow != "static")  # a static key never expires
        self._show_claims(token.access_token.reveal() if token else None)
        self._show_error(message, profile_state)

        # Which buttons are shown and enabled is the profile actions' business (use_actions).
        sign_in = self._sign_in()
        self.sign_in_banner.setVisible(sign_in is not None and sign_in.url is not None)  # once listening
        self._show_progress()
        self.tick(record)

    def _show_badge(self) -> None:
        """The badge: what the user started that still runs, else the state's words."""
        doing = running_text(self.running.entries(self.name)) if self.name else None
        key = "renewing" if doing else self._state
        words = doing or self._badge_words or STATE_LABELS.get(self._state, self._state)
        self.badge.setText(words)
        self.badge.show()
        style = BADGE_STYLE_ALIASES.get(key, key)
        if self.badge.property("state") != style:  # the same again needs no restyling
            self.badge.setProperty("state", style)
            recolour(self.badge)  # its states differ in colours alone (resources/styles/*.qss)

    def _show_error(self, message: str | None, state: ProfileState | None) -> None:
        """The state's reason under the header, with its actions as buttons: a retried renewal
        as a warning saying the token still works (it does), anything else as an error."""
        if not message or self.name is None:
            self.error_line.clear()
            return
        retrying = state is not None and self._state == "retrying"
        kind = "warning" if retrying else "error"
        cause: BaseException | None = state.error if state is not None else None
        if cause is None and state is not None and state.kind is StateKind.NEEDS_SIGN_IN:
            cause = NeedsSignIn(self.name, message)  # the record's reason: a sign-in is the way out
        elif cause is not None:
            message = message_text(cause)  # its actions are buttons: no words for them
        if retrying and self._badge_words:
            message = f"{message}. The token still works; {self._badge_words}."
        if cause is None:
            self.error_line.show_text(message, kind=kind)
            return
        name = self.name
        actions = self.error_actions.but(retry=lambda: self._retry_on(name, "get")) if self.error_actions else None
        self.error_line.show_error(cause, actions, kind=kind, text=message)

    def _on_running_changed(self, name: str) -> None:
        if name == self.name:
            self._show_badge()
            self._show_progress()

    def _show_progress(self) -> None:
        """The progress line: the shown profile's running actions but its sign-in (which has
        its own banner), with Cancel where cancelling is safe."""
        entries = [e for e in self.running.entries(self.name) if e.action is not ProfileAction.SIGN_IN] if self.name else []
        text = running_text(entries)
        if text is None:
            self.progress_banner.hide()
            return
        self.progress_text.setText(text[:1].upper() + text[1:])
        self.progress_bar.setRange(0, 0)  # busy: no fraction can be known
        self.progress_banner.show()

    def tick(self, record: ProfileRecord | None) -> None:
        """The once-a-second update: countdown and life bar (and a device code's time left)."""
        self._tick_device_code()
        self.sign_in_button.setText(SIGN_IN_WORDS)
        if record is not None and never_expires(record) and not record.status.needs_sign_in:
            has = record.token is not None or record.static_token is not None  # a key: never a token
            self.countdown.setText(NEVER_EXPIRES if has else "")
            return
        if record is None or record.token is None:
            self.countdown.setText("")
            self.expiry_bar.setValue(0)
            return
        token = record.token
        if record.status.needs_sign_in:
            # Whatever the old token says, this grant has no time left: it needs a sign-in.
            self.countdown.setText("")
            self.expiry_bar.setValue(0)
            return
        assert self.context is not None
        now = self.context.engine.clock.now()
        state = self._current_state(record)
        if state.obtained_at is not None:
            # No expiry to count down to and no refresh: how old it is, and Sign in again.
            self.countdown.setText(format_age(now - state.obtained_at))
            self.expires_label.setText(NO_KNOWN_EXPIRY)
            self.sign_in_button.setText(SIGN_IN_AGAIN_WORDS)
            self.expiry_bar.setValue(0)
            return
        self.countdown.setText(format_remaining(token.expires_in(now)))
        fraction = remaining_fraction(token, now)
        self.expiry_bar.setValue(0 if fraction is None else int(1000 * fraction))

    def _current_state(self, record: ProfileRecord) -> ProfileState:
        """The state of ``record`` now, as the engine knows it (the once-a-second tick has only
        the record)."""
        if self.context is None:
            return ProfileState(StateKind.NO_TOKEN)
        return self.context.engine.state(record)

    def _show_claims(self, token: str | None) -> None:
        decoded = decode_unverified(token) if token else None
        if decoded is None:
            self.jwt_view.setPlainText("The token is opaque (not a JWT): the provider alone knows what it holds." if token else "")
            return
        header, payload = decoded
        self.jwt_view.setPlainText(answer_text.claims_text(header, payload))

    def use_actions(self, actions: ProfileActions) -> None:
        """Make the action buttons faces of the window's profile actions: a click triggers the
        action, and each button is shown and enabled as its action is (by the profile's state)."""
        for button, action in (
            (self.copy_token_button, actions.copy_token),
            (self.copy_header_button, actions.copy_header),
            (self.copy_curl_button, actions.copy_curl),
            (self.get_token_button, actions.get_token),
            (self.sign_in_button, actions.sign_in),
            (self.renew_button, actions.renew),
            (self.sign_out_button, actions.sign_out),
            (self.try_button, actions.try_it),
            (self.introspect_button, actions.introspect),
            (self.cancel_running_button, actions.cancel_running),
        ):
            bind_button(button, action)

    # -- copying --------------------------------------------------------------------------------

    def copy(self, what: str) -> None:
        """Copy the token, the Authorization header or a curl line (concealed, self-clearing),
        renewed first when due: never an expired token as stored."""
        if self.context is None or self.name is None:
            return
        name, context = self.name, self.context

        async def work() -> None:
            issued = await context.engine.credential(name)
            cred, record = issued.credential, issued.record
            # Only the one asked for: Deezer's token has no header form (header_line raises).
            if what == "header":
                text = cred.header_line()
            elif what == "curl":
                text = curl_line(cred, try_url(record))
            else:
                text = cred.value.reveal()
            context.clipboard.copy_secret(text, what=what)
            self.status_message.emit(f"Copied the {what} of {name}; {context.clipboard.clear_note()}")

        self._clear_error()
        retry = lambda: self._retry_on(name, "copy", what)  # noqa: E731
        task = spawn(work(), on_failure=lambda exc: self._fail(exc, name, retry), name=f"copy:{name}", owner=self)
        record = context.engine.record(name)
        if record is not None and needs_renewal(record.token, context.engine.clock.now()):
            # It renews first: shown as running (and cancellable) like a Renew now.
            action = ProfileAction.COPY_TOKEN
            self.running.start(name, action, task, stop=stop_for(action, record, context.engine.clock.now()))

    # -- actions --------------------------------------------------------------------------------

    def sign_out(self) -> None:
        """Sign out, after asking when a refresh token would be lost (a plain slot: it may ask)."""
        if self.context is None or self.name is None:
            return
        from .confirmations import confirm_sign_out, needs_sign_out_question

        record = self.context.engine.record(self.name)
        if needs_sign_out_question(record):
            assert record is not None
            if not confirm_sign_out(self, record):
                return
        self.run_action("sign_out")

    def run_action(self, action: str) -> None:
        if self.context is None or self.name is None:
            return
        name = self.name
        engine = self.context.engine

        async def work() -> None:
            if action == "get":
                got = await engine.get_token(name)
                shown = engine.record(name) if self.name == name else None
                if shown is not None and shown.profile.flow == "static":
                    self.token_field.setText(got.access_token.reveal())  # the key, masked until the eye
                self.status_message.emit(f"{name}: token ready")
            elif action == "renew":
                await engine.refresh(name)
                self.status_message.emit(f"{name}: renewed")
            elif action == "sign_out":
                signed_out = await engine.sign_out(name)
                if signed_out.logout_url:
                    self.open_browser(signed_out.logout_url)
                self.status_message.emit(signed_out_text(name, signed_out))
            elif action == "introspect":
                answer = await engine.introspect(name)
                self._show_answer(name, json.dumps(answer, indent=2, sort_keys=True))
            elif action == "try":
                tried = await engine.try_profile(name)
                self._show_answer(name, answer_text.try_text(tried))
            assert self.context is not None
            self.context.scheduler.watch(name)

        self._clear_error()
        task = spawn(
            work(), on_failure=lambda exc: self._fail(exc, name, lambda: self._retry_on(name, action)), name=f"{action}:{name}", owner=self
        )
        record = engine.record(name)
        kind = RUN_ACTIONS[action]
        stop = stop_for(kind, record, engine.clock.now()) if record is not None else Stop.NONE
        self.running.start(name, kind, task, stop=stop)

    def cancel_running(self) -> None:
        """Cancel what can be cancelled of the shown profile's running actions; a renewal that
        spends a refresh token is only no longer waited for (it stores its answer first)."""
        if self.name is None:
            return
        acted = self.running.cancel(self.name)
        if any(entry.stop is Stop.STOP_WAITING for entry in acted):
            self.status_message.emit(
                f"{self.name}: no longer waiting; the renewal finishes by itself so that its new refresh token is stored"
            )
        elif acted:
            self.status_message.emit(f"{self.name}: cancelled")

    def _clear_error(self) -> None:
        """A new action starts: the last one's error no longer applies (it shows again if the
        new one fails too)."""
        if self.error_line.property("kind") == "error":
            self.error_line.clear()

    def _show_answer(self, name: str, text: str) -> None:
        if name != self.name:
            return  # another profile is shown now: the answer is not about it
        record = self.context.engine.record(name) if self.context is not None else None
        self._answered_token = record.token if record is not None else None
        self.answer_view.setPlainText(scrub(text))
        self.tabs.setCurrentWidget(self.answer_page)

    def _fail(self, exc: MusicAuthError, name: str, retry: Callable[[], None] | None = None) -> None:
        """An action on ``name`` failed: the status bar's line, and the pane's with the error's
        actions as buttons (``retry``: what Retry does, the same action again)."""
        self.action_failed.emit(name, error_text(exc))
        if name == self.name:
            actions = self.error_actions.but(retry=retry) if self.error_actions and retry else self.error_actions
            self.error_line.show_error(exc, actions)

    def _retry_on(self, name: str, action: str, *args: str) -> None:
        """``action`` again on ``name`` (a message's Retry), if it is still the profile shown."""
        if name != self.name:
            return
        if action == "copy":
            self.copy(*args)
        elif action == "sign_in":
            self.sign_in()
        else:
            self.run_action(action)

    def _auto_renew_toggled(self, enabled: bool) -> None:
        if self.context is None or self.name is None:
            return
        name, context = self.name, self.context

        async def work() -> None:
            await context.engine.set_auto_renew(name, enabled)
            if enabled:
                context.scheduler.watch(name)
            else:
                context.scheduler.unwatch(name)

        spawn(work(), on_failure=lambda exc: self._fail(exc, name), owner=self)

    # -- sign-in --------------------------------------------------------------------------------

    def _sign_in(self) -> SignIn | None:
        """The shown profile's sign-in under way (each profile has its own), if any."""
        if self.context is None or self.name is None:
            return None
        return self.context.engine.signing_in(self.name)

    def _show_sign_in_state(self, name: str) -> None:
        """The waiting banner and the Sign in button follow the shown profile's own sign-in."""
        if name != self.name:
            return
        handle = self._sign_in()
        waiting = handle is not None and handle.url is not None
        device = handle.device if handle is not None else None
        if device is None:
            self.sign_in_text.setText(BROWSER_WAITING)
        else:
            self.sign_in_text.setText(DEVICE_WAITING_QR if device.verification_uri_complete else DEVICE_WAITING)
        self.copy_url_button.setText("Copy link" if device is not None else "Copy sign-in URL")
        if device is not None:
            box = self.device_box
            box.code_label.setText(device.user_code)
            # Here, not with the module: html imports its entity tables (0.5 MB of RSS), which a
            # window at rest has no use for.
            import html

            link = html.escape(device.link, quote=True)
            box.link_label.setText(f'<a href="{link}">{html.escape(device.verification_uri)}</a>')
            box.link_label.setToolTip(device.link)
            # Only the complete URI is worth a QR code: the bare page still needs the code typed.
            box.qr.set_text(device.verification_uri_complete)
            box.show()
        elif self._device_box is not None:
            self._device_box.qr.set_text(None)
            self._device_box.hide()
        self._tick_device_code()
        self.sign_in_banner.setVisible(waiting)

    def _tick_device_code(self) -> None:
        handle = self._sign_in()
        device = handle.device if handle is not None else None
        if device is None or self.context is None:
            return
        left = device.expires_at - self.context.engine.clock.now()
        label = self.device_box.expiry_label
        if left > 0:
            label.setText(f"The code expires in {format_remaining(left)}")
        else:
            label.setText("The code has expired")

    def _copy_device_code(self) -> None:
        handle = self._sign_in()
        if handle is not None and handle.device is not None and self.context is not None:
            # Not a secret on its own (it is shown on screen to be typed), and it dies in minutes.
            self.context.clipboard.copy_plain(handle.device.user_code, what="user code")
            self.status_message.emit("Copied the code: enter it on the page the link opens")

    def sign_in(self) -> None:
        """Start the sign-in; the pane shows a non-modal waiting state with Cancel (for a device
        sign-in: the user code, the link and the code's time left).

        Several profiles may wait for their browsers at once; the banner, its Cancel and its
        "Copy sign-in URL" belong to the profile shown.
        """
        if self.context is None or self.name is None or self._sign_in() is not None:
            return
        name, context = self.name, self.context
        self._clear_error()
        handle = context.engine.sign_in(name, open_browser=self.open_browser)
        self.sign_in_changed.emit(name, True)
        self._show_sign_in_state(name)

        async def work() -> None:
            try:
                await handle.listening()
                self._show_sign_in_state(name)
                await handle.result()
                self.status_message.emit(f"Signed in to {name}")
                context.scheduler.watch(name)
            finally:
                self.sign_in_changed.emit(name, False)
                self._show_sign_in_state(name)

        retry = lambda: self._retry_on(name, "sign_in")  # noqa: E731
        task = spawn(work(), on_failure=lambda exc: self._fail(exc, name, retry), name=f"sign-in:{name}", owner=self)
        # Its Cancel is the sign-in's own (the banner's, ``cancel_sign_in``).
        self.running.start(name, ProfileAction.SIGN_IN, task, stop=Stop.NONE)

    def _copy_sign_in_url(self) -> None:
        handle = self._sign_in()
        if handle is not None and handle.url and self.context is not None:
            # Not a secret (state and the PKCE challenge are public by design), but short-lived.
            self.context.clipboard.copy_plain(handle.url, what="sign-in URL")
            self.status_message.emit("Copied the sign-in URL: open it in the browser you want to use")

    def cancel_sign_in(self) -> None:
        handle = self._sign_in()
        if handle is not None:
            handle.cancel()


def never_expires(record: ProfileRecord) -> bool:
    """Whether ``record``'s key or token never expires: a static key, or a provider's token
    documented as never expiring (Last.fm's session keys, Discogs' OAuth 1.0a tokens)."""
    return record.profile.flow == "static" or get_preset(record.profile.provider).token_never_expires
