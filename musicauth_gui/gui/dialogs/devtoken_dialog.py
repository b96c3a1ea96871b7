"""The DevToken workbench: sign an ES256 DevToken by hand, see inside it, copy it in use.

It signs with a signer from ``engine.key_ring.signer`` instead of ``TokenEngine.sign_devtoken``
so that a different key, ``kid``, ``iss`` or ``sub`` than the profile's can be tried without
editing the profile; nothing it makes is stored. The token is shown masked; the decoded header and payload
(not secret on their own: no signature) are shown in full.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any

import shiboken6
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...core.devtoken import DEFAULT_TTL, check_lifetime, parse_ttl
from ...core.errors import Action, ConfigError, MusicAuthError
from ...core.jws import decode_unverified
from ...core.model import ProfileRecord
from ...core.presets import Preset, get_preset
from ...core.secret import Secret
from ...core.usage import Credential, curl_line, try_url
from ..context import AppContext
from ..countdown import format_remaining
from ..error_actions import ActionHost, ErrorActions
from ..icons import icon, provider_icon
from ..tasks import spawn
from ..widgets.secret_field import SecretField
from .modeless import show_modeless
from .status_row import set_status, status_and_close

TICK_MS = 1000


def _ttl_text(seconds: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def validate_ttl(text: str, preset: Preset) -> int:
    """Seconds from ``text`` (``14d``; empty: 14 days), within the provider's cap.

    Raises:
        ConfigError: not Nd/Nh/Nm/Ns, not positive, or longer than the provider allows.
    """
    return check_lifetime(parse_ttl(text.strip()), preset.devtoken_max_ttl)


@dataclass(frozen=True)
class _Request:
    """What the Generate click asked for (read from the fields in the slot)."""

    record: ProfileRecord
    preset: Preset
    key: str
    kid: str
    iss: str
    sub: str | None
    ttl: int


@dataclass(frozen=True)
class _Issued:
    """The token shown, and what its copy buttons need."""

    token: Secret
    scheme: str
    url: str | None
    expires_at: int
    #: The fields it was signed from (``DevTokenDialog._inputs``): once they differ, it goes.
    inputs: tuple[str, ...] = ()


class DevTokenDialog(QDialog):
    """Sign a DevToken for a devtoken profile with any stored key, and inspect it.

    Args:
        context: the app's shared objects (engine, clipboard, bridge).
        profile: the profile to preselect (default: the first devtoken profile).
        parent: the owning window.

    Signals:
        loaded(): the profile and key lists were (re)loaded from the store.
        token_generated(): a new token is shown (the token itself is never emitted).
    """

    loaded = Signal()
    token_generated = Signal()

    def __init__(self, context: AppContext, *, profile: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self._engine = context.engine
        self._records: dict[str, ProfileRecord] = {}
        self._wanted_profile = profile
        self._shown_profile: str | None = None
        self._issued: _Issued | None = None
        self._generation = 0
        self._busy = False

        self.setObjectName("devTokenDialog")
        self.setWindowTitle("DevToken")
        self.setWindowIcon(icon("devtoken"))
        self.resize(860, 540)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)

        # -- inputs
        self.profileCombo = QComboBox(self)
        self.profileCombo.setObjectName("profileCombo")
        self.profileCombo.setToolTip("DevToken profiles (MusicAPI, Apple Music)")
        self.keyCombo = QComboBox(self)
        self.keyCombo.setObjectName("keyCombo")
        self.keyCombo.setToolTip("The stored key to sign with (default: the profile's)")
        self.kidEdit = self._line_edit("kidEdit", "Key ID from the provider's dashboard")
        self.issEdit = self._line_edit("issEdit", "")
        self.subEdit = self._line_edit("subEdit", "optional")
        self.ttlEdit = self._line_edit("ttlEdit", _ttl_text(DEFAULT_TTL))
        self.ttlEdit.setToolTip("Nd, Nh, Nm or Ns (e.g. 14d); Apple Music allows at most 182 days")
        for edit in (self.kidEdit, self.issEdit, self.subEdit):
            edit.setFont(mono)
        self.iss_label = QLabel("Issuer (iss)", self)

        self.generateButton = QPushButton(icon("generate"), "Generate", self)
        self.generateButton.setObjectName("generateButton")
        self.generateButton.setDefault(True)
        self.generateButton.setToolTip("Sign a new DevToken with these values (nothing is stored)")
        self.generateButton.clicked.connect(self.generate)

        def label(text: str, buddy: QWidget) -> QLabel:
            """A field's label, its buddy: assistive technology reads it as the field's name."""
            widget = QLabel(text, self)
            widget.setBuddy(buddy)
            return widget

        self.iss_label.setBuddy(self.issEdit)
        form = QGridLayout()
        form.addWidget(label("Profile", self.profileCombo), 0, 0)
        form.addWidget(self.profileCombo, 0, 1)
        form.addWidget(label("Key", self.keyCombo), 0, 2)
        form.addWidget(self.keyCombo, 0, 3)
        form.addWidget(label("Key ID (kid)", self.kidEdit), 1, 0)
        form.addWidget(self.kidEdit, 1, 1)
        form.addWidget(self.iss_label, 1, 2)
        form.addWidget(self.issEdit, 1, 3)
        form.addWidget(label("Subject (sub)", self.subEdit), 2, 0)
        form.addWidget(self.subEdit, 2, 1)
        form.addWidget(label("Lifetime", self.ttlEdit), 2, 2)
        ttl_row = QHBoxLayout()
        ttl_row.addWidget(self.ttlEdit, 1)
        ttl_row.addWidget(self.generateButton)
        form.addLayout(ttl_row, 2, 3)
        form.setColumnStretch(1, 1)
        form.setColumnStretch(3, 1)

        # -- output
        self.tokenField = SecretField(read_only=True, placeholder="Press Generate to sign a DevToken", parent=self)
        self.tokenField.setObjectName("tokenField")
        self.tokenField.setFont(mono)
        self.countdown = QLabel("—", self)
        self.countdown.setObjectName("countdown")
        self.countdown.setFont(mono)
        self.expires_label = QLabel("", self)
        self.expires_label.setObjectName("expiresAt")
        self.headerView = self._json_view("headerView", mono)
        self.payloadView = self._json_view("payloadView", mono)

        self.copyTokenButton = self._copy_button("copyTokenButton", "Copy token", "The bare JWT", self.copy_token)
        self.copyHeaderButton = self._copy_button(
            "copyHeaderButton", "Copy header", "Authorization: <scheme> <token>", self.copy_header
        )
        self.copyCurlButton = self._copy_button(
            "copyCurlButton", "Copy curl", "A curl command calling the profile's try URL", self.copy_curl
        )

        expiry_row = QHBoxLayout()
        expiry_row.addWidget(QLabel("Expires in", self))
        expiry_row.addWidget(self.countdown)
        expiry_row.addWidget(self.expires_label)
        expiry_row.addStretch(1)

        views = QGridLayout()
        views.addWidget(QLabel("Header", self), 0, 0)
        views.addWidget(QLabel("Payload", self), 0, 1)
        views.addWidget(self.headerView, 1, 0)
        views.addWidget(self.payloadView, 1, 1)
        views.setColumnStretch(0, 1)
        views.setColumnStretch(1, 1)

        copies = QHBoxLayout()
        for button in (self.copyTokenButton, self.copyHeaderButton, self.copyCurlButton):
            copies.addWidget(button)
        copies.addStretch(1)

        token_box = QGroupBox("Token", self)
        box_layout = QVBoxLayout(token_box)
        box_layout.addWidget(self.tokenField)
        box_layout.addLayout(expiry_row)
        box_layout.addLayout(views, 1)
        box_layout.addLayout(copies)

        self.status, self.status_actions, bottom = status_and_close(self)
        # What an error's buttons do here: this dialog's own fields where it has them, the
        # window's actions (the profile editor, the key manager) otherwise.
        own_fields = {
            "devtoken_ttl": self.ttlEdit,
            "key": self.keyCombo,
            "key_id": self.kidEdit,
            "team_id": self.issEdit,
            "client_id": self.issEdit,
            "subject": self.subEdit,
        }
        host = parent if isinstance(parent, ActionHost) else None

        def edit_field(exc: MusicAuthError) -> None:
            widget = own_fields.get(exc.field or "")
            if widget is not None:
                widget.setFocus(Qt.FocusReason.OtherFocusReason)
            elif host is not None and exc.profile is not None:
                host.edit_profile_field(exc.profile, exc.field)

        self._actions = ErrorActions(host, retry=self.generate, local={Action.EDIT_FIELD: edit_field})

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(token_box, 1)
        layout.addLayout(bottom)

        # One timer drives the countdown, only while a live token is shown.
        self._ticker = QTimer(self)
        self._ticker.setInterval(TICK_MS)
        self._ticker.timeout.connect(self._update_countdown)

        self.profileCombo.currentIndexChanged.connect(self._on_profile_combo_changed)
        self.keyCombo.currentIndexChanged.connect(self._update_buttons)
        self.ttlEdit.textChanged.connect(self._on_ttl_edit_changed)
        # A token shown beside fields that no longer produce it would be copied as theirs.
        self.keyCombo.currentIndexChanged.connect(self._drop_stale_token)
        for edit in (self.kidEdit, self.issEdit, self.subEdit, self.ttlEdit):
            edit.textChanged.connect(self._drop_stale_token)
        for signal in (context.bridge.profile_changed, context.bridge.store_changed_elsewhere):
            signal.connect(self._on_bridge_changed)
        self._show_token(None)
        self.reload()

    # -- entry point --------------------------------------------------------------------------

    @classmethod
    def open_for(cls, parent: QWidget | None, context: AppContext, *, profile: str | None = None) -> DevTokenDialog:
        """Show the dialog modeless, owned by ``parent``, with ``profile`` selected when given."""
        return show_modeless(cls(context, profile=profile, parent=parent))

    # -- public slots -------------------------------------------------------------------------

    def reload(self) -> asyncio.Task[Any]:
        """Reload the devtoken profiles and the key names (e.g. after the key manager changed keys)."""
        self._generation += 1
        return self._start(self._load(self._generation))

    def select_profile(self, name: str) -> bool:
        index = self.profileCombo.findData(name)
        if index < 0:
            return False
        self.profileCombo.setCurrentIndex(index)
        return True

    def generate(self) -> None:
        """Sign a DevToken from the fields as they are now."""
        try:
            request = self._request()
        except MusicAuthError as exc:
            self._set_status("", error=exc)
            return
        self._busy = True
        self._update_buttons()
        task = self._start(self._sign(request, self._inputs()))
        task.add_done_callback(self._on_sign_done)

    def copy_token(self) -> None:
        if self._issued is not None:
            self._context.clipboard.copy_secret(self._issued.token.reveal(), what="DevToken")
            self._copied("the token")

    def copy_header(self) -> None:
        if self._issued is not None:
            self._context.clipboard.copy_secret(self._credential().header_line(), what="Authorization header")
            self._copied("the Authorization header")

    def copy_curl(self) -> None:
        if self._issued is not None:
            self._context.clipboard.copy_secret(curl_line(self._credential(), self._issued.url), what="curl command")
            self._copied("a curl command")

    def remaining(self) -> float | None:
        """Seconds the shown token has left (None without a token)."""
        return None if self._issued is None else self._issued.expires_at - self._engine.clock.now()

    # -- coroutines ---------------------------------------------------------------------------

    async def _load(self, generation: int) -> None:
        try:
            records = [r for r in (await self._engine.scan()).records if r.profile.flow == "devtoken"]
            keys = await self._engine.key_ring.names()
        except MusicAuthError as exc:
            self._set_status("", error=exc)
            return
        if not self._alive() or generation != self._generation:
            return
        self._fill(records, keys)
        self.loaded.emit()

    async def _sign(self, request: _Request, inputs: tuple[str, ...]) -> None:
        try:
            signer = await self._engine.key_ring.signer(request.key, kid=request.kid)
            now = int(self._engine.clock.now())
            origin = request.record.profile.origin
            token = signer.sign(
                iss=request.iss,
                sub=request.sub,
                ttl=request.ttl,
                now=now,
                max_ttl=request.preset.devtoken_max_ttl,
                extra={"origin": list(origin)} if origin else None,
            )
        except MusicAuthError as exc:
            self._set_status("", error=exc)
            return
        if not self._alive():
            return
        if inputs != self._inputs():
            self._set_status("The fields changed while signing: Generate again for a token that matches them.")
            return
        self._show_token(
            _Issued(
                token=Secret(token),
                scheme=request.preset.auth_scheme,
                url=try_url(request.record),
                expires_at=now + request.ttl,
                inputs=inputs,
            )
        )
        self._set_status(f"Signed with key {request.key!r} (kid {request.kid}); nothing was stored.")
        self.token_generated.emit()

    # -- slots --------------------------------------------------------------------------------

    def _on_profile_combo_changed(self, _index: int) -> None:
        name = self.profileCombo.currentData()
        if name == self._shown_profile:
            return
        self._shown_profile = name
        self._show_token(None)
        record = self._records.get(name) if name else None
        if record is not None:
            self._prefill(record)
        self._update_buttons()

    def _on_ttl_edit_changed(self, _text: str) -> None:
        preset = self._preset()
        if preset is None:
            return
        try:
            validate_ttl(self.ttlEdit.text(), preset)
        except MusicAuthError as exc:
            self.ttlEdit.setProperty("invalid", True)
            self._set_status("", error=exc)
        else:
            if self.ttlEdit.property("invalid"):
                self._set_status("")
            self.ttlEdit.setProperty("invalid", False)
        self._update_buttons()

    def _drop_stale_token(self, *_args: object) -> None:
        """Clear the shown token once the fields no longer say what it was signed with."""
        if self._issued is not None and self._issued.inputs != self._inputs():
            self._show_token(None)
            if not self.ttlEdit.property("invalid"):  # that error says more
                self._set_status("The fields changed: Generate again for a token that matches them.")

    def _on_bridge_changed(self, *_args: object) -> None:
        self.reload()

    def _on_sign_done(self, _task: asyncio.Task[Any]) -> None:
        self._busy = False
        if self._alive():
            self._update_buttons()

    def _update_countdown(self) -> None:
        left = self.remaining()
        if left is None:
            self.countdown.setText("—")
            self._ticker.stop()
            return
        self.countdown.setText(format_remaining(left, precise=True))
        if left <= 0:
            self._ticker.stop()

    def done(self, result: int) -> None:  # overrides QDialog.done
        self._show_token(None)  # overwrite the token before the window goes
        super().done(result)

    # -- helpers ------------------------------------------------------------------------------

    def _request(self) -> _Request:
        name = self.profileCombo.currentData()
        record = self._records.get(name) if name else None
        if record is None:
            raise ConfigError("choose a DevToken profile first")
        key = self.keyCombo.currentText()
        if not key:
            raise ConfigError("choose a key to sign with", field="key", actions=(Action.EDIT_FIELD, Action.ADD_KEY))
        preset = get_preset(record.profile.provider)
        return _Request(
            record=record,
            preset=preset,
            key=key,
            kid=self.kidEdit.text().strip(),
            iss=self.issEdit.text().strip(),
            sub=self.subEdit.text().strip() or None,
            ttl=validate_ttl(self.ttlEdit.text(), preset),
        )

    def _inputs(self) -> tuple[str, ...]:
        """The fields a token is signed from, as typed (compared, never parsed)."""
        fields = (self.kidEdit, self.issEdit, self.subEdit, self.ttlEdit)
        return (str(self.profileCombo.currentData() or ""), self.keyCombo.currentText(), *(f.text().strip() for f in fields))

    def _credential(self) -> Credential:
        assert self._issued is not None
        return Credential(self._issued.scheme, self._issued.token)

    def _preset(self) -> Preset | None:
        record = self._records.get(self.profileCombo.currentData() or "")
        return get_preset(record.profile.provider) if record else None

    def _fill(self, records: list[ProfileRecord], keys: list[str]) -> None:
        self._records = {r.name: r for r in records}
        wanted = self._wanted_profile or self.profileCombo.currentData()
        self._wanted_profile = None
        self.profileCombo.blockSignals(True)
        self.profileCombo.clear()
        for record in records:
            preset = get_preset(record.profile.provider)
            self.profileCombo.addItem(provider_icon(preset.id), record.name, record.name)
            self.profileCombo.setItemData(self.profileCombo.count() - 1, preset.label, Qt.ItemDataRole.ToolTipRole)
        index = self.profileCombo.findData(wanted) if wanted else -1
        self.profileCombo.setCurrentIndex(index if index >= 0 else (0 if records else -1))
        self.profileCombo.blockSignals(False)

        current_key = self.keyCombo.currentText()
        self.keyCombo.blockSignals(True)
        self.keyCombo.clear()
        self.keyCombo.addItems(keys)
        self.keyCombo.setCurrentIndex(self.keyCombo.findText(current_key) if current_key else -1)
        self.keyCombo.blockSignals(False)

        if not records:
            self._set_status("", error=ConfigError("No DevToken profiles yet (MusicAPI or Apple Music)", actions=(Action.ADD_PROFILE,)))
        name = self.profileCombo.currentData()
        if name != self._shown_profile:
            self._on_profile_combo_changed(self.profileCombo.currentIndex())
        else:
            self._update_buttons()

    def _prefill(self, record: ProfileRecord) -> None:
        """The fields as the profile would sign: its key, kid, iss, sub and lifetime."""
        profile = record.profile
        preset = get_preset(profile.provider)
        index = self.keyCombo.findText(profile.key or "")
        self.keyCombo.setCurrentIndex(index)
        self.kidEdit.setText(profile.key_id or "")
        self.issEdit.setText(getattr(profile, preset.devtoken_issuer) or "")
        what = "Team ID" if preset.devtoken_issuer == "team_id" else "client id"
        self.iss_label.setText(f"Issuer (iss, {what})")
        self.issEdit.setPlaceholderText(what)
        self.subEdit.setText(profile.subject or "")
        self.ttlEdit.setText(profile.devtoken_ttl or _ttl_text(DEFAULT_TTL))
        if profile.key and index < 0:
            missing = f"the profile's key {profile.key!r} is not in the key store"
            self._set_status("", error=ConfigError(missing, field="key", actions=(Action.EDIT_FIELD, Action.ADD_KEY)))
        elif not self.ttlEdit.property("invalid"):
            self._set_status("")

    def _show_token(self, issued: _Issued | None) -> None:
        self._issued = issued
        if issued is None:
            self._ticker.stop()
            self.tokenField.clear_secret()
            self.headerView.clear()
            self.payloadView.clear()
            self.countdown.setText("—")
            self.expires_label.setText("")
        else:
            token = issued.token.reveal()
            self.tokenField.setText(token)
            self.tokenField.setCursorPosition(0)
            decoded = decode_unverified(token)
            header, payload = decoded if decoded else ({}, {})
            self.headerView.setPlainText(json.dumps(header, indent=2))
            self.payloadView.setPlainText(json.dumps(payload, indent=2))
            when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(issued.expires_at))
            self.expires_label.setText(f"(at {when})")
            self._update_countdown()
            self._ticker.start()
        self._update_buttons()

    def _update_buttons(self, *_args: object) -> None:
        has_token = self._issued is not None
        for button in (self.copyTokenButton, self.copyHeaderButton, self.copyCurlButton):
            button.setEnabled(has_token)
        can_sign = (
            not self._busy
            and self.profileCombo.currentIndex() >= 0
            and self.keyCombo.currentIndex() >= 0
            and not self.ttlEdit.property("invalid")
        )
        self.generateButton.setEnabled(can_sign)

    def _copied(self, what: str) -> None:
        seconds = self._context.clipboard.clear_after
        tail = f"; it is cleared in {seconds:g} s unless you copy something else" if seconds > 0 else ""
        self._set_status(f"Copied {what}{tail}.")

    def _line_edit(self, object_name: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(object_name)
        edit.setPlaceholderText(placeholder)
        return edit

    def _json_view(self, object_name: str, font: Any) -> QPlainTextEdit:
        view = QPlainTextEdit(self)
        view.setObjectName(object_name)
        view.setReadOnly(True)
        view.setFont(font)
        view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        view.setPlaceholderText("—")
        return view

    def _copy_button(self, object_name: str, text: str, tip: str, slot: Any) -> QPushButton:
        button = QPushButton(icon("copy"), text, self)
        button.setObjectName(object_name)
        button.setToolTip(f"{tip} (cleared from the clipboard after a while)")
        button.setAutoDefault(False)
        button.clicked.connect(lambda _checked=False: slot())
        return button

    def _start(self, coro: Coroutine[Any, Any, None]) -> asyncio.Task[Any]:
        return spawn(coro, on_failure=lambda exc: self._set_status("", error=exc))

    def _set_status(self, text: str, *, error: bool | BaseException = False) -> None:
        """``text``, or an error's words with its actions as buttons."""
        if not self._alive():
            return
        set_status(self.status, self.status_actions, text, error=error, actions=self._actions)

    def _alive(self) -> bool:
        return shiboken6.isValid(self)
