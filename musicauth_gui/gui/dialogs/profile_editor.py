"""Create or edit one profile: the preset decides which fields show, the core decides what is valid.

The dialog builds the same table a ``[profiles.NAME]`` section of the profiles file holds and runs
``core.profiles_file.parse_profile`` on it after every edit (cheap, no I/O), so the GUI and the
CLI accept exactly the same profiles and the user reads the core's own one-line message. The
dialog never writes: the caller saves the ``ProfileInput`` it returns with
``await engine.import_profiles([result])``. An empty secret while editing means "keep the stored
one", which ``import_profiles`` already does when ``ProfileInput.client_secret`` is None.

Two ways to open it:

- ``ProfileEditorDialog.ask(...)`` runs ``exec()``: call it from a plain (synchronous) slot only.
  Inside a coroutine the nested Qt loop would make qasync step other tasks while this one is
  still executing ("Cannot enter into task ... while another task is being executed").
- ``await ProfileEditorDialog.ask_async(...)`` opens it window-modal with ``open()`` and awaits
  its ``finished`` signal: the one to use from an ``asyncSlot`` or a spawned coroutine.
"""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...core.engine import OAUTH_SUFFIX, ServerMetadata
from ...core.errors import Action, ConfigError, MusicAuthError
from ...core.model import DEFAULT_SIGNATURE_METHOD, FLOWS, SIGNATURE_METHODS, Flow, ProfileRecord
from ...core.presets import PRESETS, Preset, StaticPlacement
from ...core.presets.apple_music import API_ENDPOINT as APPLE_MUSIC_API
from ...core.presets.apple_music import MUSICKIT_JS_URL
from ...core.profiles_file import ProfileInput, applicable_fields, parse_profile, secret_problem, static_token_problem
from ..context import AppContext
from ..error_actions import ErrorActions
from ..field_labels import FIELD_LABELS
from ..icons import icon, provider_icon
from ..messages import editor_text, error_text
from ..tasks import spawn
from ..widgets.fitting_scroll import FittingScrollArea
from ..widgets.message_line import MessageLine
from ..widgets.secret_field import SecretField
from . import prompts
from .redirect_hint import RedirectHint

REDIRECT_PLACEHOLDER = "http://127.0.0.1 (any free port)/callback"
KEEP_SECRET_PLACEHOLDER = "unchanged (kept in the keyring)"
NO_SECRET_STORED = "none stored"
FROM_METADATA = "from the issuer's metadata"
DEFAULT_WIDTH = 600

# Endpoint fields of the "Endpoints" group: (profile field, objectName); labels in FIELD_LABELS.
_ENDPOINT_ROWS = (
    ("request_token_endpoint", "requestTokenEndpointEdit"),  # OAuth 1.0a's first leg
    ("authorization_endpoint", "authorizationEndpointEdit"),
    ("token_endpoint", "tokenEndpointEdit"),
    ("device_authorization_endpoint", "deviceAuthorizationEndpointEdit"),
    ("introspection_endpoint", "introspectionEndpointEdit"),
    ("revocation_endpoint", "revocationEndpointEdit"),
    ("logout_endpoint", "logoutEndpointEdit"),
    ("api_endpoint", "apiEndpointEdit"),  # Last.fm's /2.0/, the Apple Music API
    ("musickit_js_url", "musicKitJsUrlEdit"),  # where the MusicKit sign-in page loads the script
    ("try_url", "tryUrlEdit"),
)
# Discovery metadata key for each endpoint field (OIDC calls the logout URL end_session).
_METADATA_KEYS = {
    "authorization_endpoint": "authorization_endpoint",
    "token_endpoint": "token_endpoint",
    "introspection_endpoint": "introspection_endpoint",
    "revocation_endpoint": "revocation_endpoint",
    "logout_endpoint": "end_session_endpoint",
    "device_authorization_endpoint": "device_authorization_endpoint",
}




class ProfileEditorDialog(QDialog):
    """The profile form. Drive it directly in tests (no ``exec()``), or open it with ``ask``.

    Args:
        context: the shared AppContext (engine for key names, profile names and discovery).
        existing: the record to edit; None creates a new profile.
        provider: the preset to start with when creating (default: the first to choose, Spotify).
        focus_field: the field to put the cursor in when shown (a message's "Edit Client
            secret" opens the editor there); None: the first.
        parent: the parent window.

    Signals:
        discovery_finished(bool, str): Discover ended; whether metadata was found, and the
            status line shown ("found: RFC 8414 metadata" or the one-line error).
        choices_loaded(): the key names (and, when creating, the taken profile names) arrived
            from the store.
    """

    discovery_finished = Signal(bool, str)
    choices_loaded = Signal()

    def __init__(
        self,
        context: AppContext,
        *,
        existing: ProfileRecord | None = None,
        provider: str | None = None,
        focus_field: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._context = context
        self._focus_field = focus_field
        self._existing = existing
        self._taken_names: set[str] = set()
        self._result: ProfileInput | None = None
        #: Whether the edited profile has a secret stored (asked of the engine in load_choices;
        #: until then, what the record handed in says).
        self._secret_stored = existing is not None and existing.client_secret is not None
        self._token_stored = existing is not None and existing.static_token is not None
        self._drops_tokens = False
        self._message = ""
        self._auto_name = ""
        self._shown_scope_default: tuple[str, ...] = ()
        self._filling = False
        self._sized = False
        self.discovery_task: asyncio.Task[Any] | None = None
        self.choices_task: asyncio.Task[Any] | None = None

        self.setObjectName("profileEditorDialog")
        self.setWindowTitle(f"Edit profile “{existing.name}”" if existing else "New profile")
        self.setMinimumWidth(560)
        self._build()
        if existing is not None:
            self._fill_from(existing)
        else:
            start = provider if provider in PRESETS else next(iter(PRESETS))
            self._preset_combo.setCurrentIndex(self._preset_combo.findData(start))
            self._on_preset_changed()
        self._connect()
        self._revalidate()
        self.choices_task = spawn(
            self.load_choices(), on_error=self._on_choices_failed, name="profile-editor-choices", owner=self
        )

    # -- construction -------------------------------------------------------------------------

    def _build(self) -> None:
        def line(object_name: str, placeholder: str = "") -> QLineEdit:
            edit = QLineEdit()
            edit.setObjectName(object_name)
            edit.setPlaceholderText(placeholder)
            edit.setClearButtonEnabled(False)
            return edit

        self._preset_combo = QComboBox()
        self._preset_combo.setObjectName("presetCombo")
        for preset in PRESETS.values():  # in the offered order: live services first, Groove last
            self._preset_combo.addItem(provider_icon(preset.id), preset.label, preset.id)
            index = self._preset_combo.count() - 1
            tip = preset.notes or (
                "Any OAuth 2.0 / OpenID Connect server, its endpoints discovered from an issuer URL"
                if preset.issuer_required
                else ""
            )
            if tip:
                self._preset_combo.setItemData(index, tip, Qt.ItemDataRole.ToolTipRole)
        self._name = line("nameEdit", "how the profile is called here and on the command line")
        self._flow_combo = QComboBox()
        self._flow_combo.setObjectName("flowCombo")
        self._client_id = line("clientIdEdit")
        self._secret = SecretField(placeholder="")
        self._secret.setObjectName("clientSecretField")
        self._scopes = line("scopesEdit")
        self._scopes.setToolTip("Space-separated")
        self._issuer = line("issuerEdit")
        # Its label's buddy, but in another parent (the row with Discover), where Qt does not
        # look for it: named here.
        self._issuer.setAccessibleName(FIELD_LABELS["issuer"].replace("&", ""))
        self._discover = QPushButton(icon("discover"), "&Discover")
        self._discover.setObjectName("discoverButton")
        self._discover.setAutoDefault(False)
        self._discover.setToolTip("Read the endpoints from the issuer's metadata (RFC 8414, then OpenID Connect)")
        self._discovery_status = QLabel()
        self._discovery_status.setObjectName("discoveryStatus")
        self._discovery_status.setWordWrap(True)
        self._discovery_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._redirect = line("redirectUriEdit", REDIRECT_PLACEHOLDER)
        self._redirect.setToolTip("A loopback IP literal (RFC 8252 §7.3); without a port, any free port is used")
        # Its form row holds the field with the URI to register under it, so the row's label
        # cannot be its buddy's name for assistive technology: named here, as the issuer is.
        self._redirect.setAccessibleName(FIELD_LABELS["redirect_uri"].replace("&", ""))
        # The URI to register with the provider, with a copy button, under the field.
        self._redirect_hint = RedirectHint(self._redirect, copy=lambda text: self._context.clipboard.copy_plain(text, what="redirect URI"))
        self._auth_method = QComboBox()
        self._auth_method.setObjectName("authMethodCombo")
        self._auth_method.setToolTip("token_endpoint_auth_method: how the client authenticates at the token endpoint")
        # OAuth 1.0a: how each request is signed (RFC 5849 §3.4), each choice with what it means.
        self._signature_method = QComboBox()
        self._signature_method.setObjectName("signatureMethodCombo")
        for method in SIGNATURE_METHODS:
            self._signature_method.addItem(f"{method} (default)" if method == DEFAULT_SIGNATURE_METHOD else method, method)
            index = self._signature_method.count() - 1
            self._signature_method.setItemData(index, SIGNATURE_METHOD_TIPS[method], Qt.ItemDataRole.ToolTipRole)
        self._select_signature_method(DEFAULT_SIGNATURE_METHOD)
        self._key_combo = QComboBox()
        self._key_combo.setObjectName("keyCombo")
        self._key_combo.setPlaceholderText("no keys yet: add one in Signing keys…")
        self._key_id = line("keyIdEdit")
        self._team_id = line("teamIdEdit", "10 characters, from App Store Connect")
        self._subject = line("subjectEdit", "optional (sub claim)")
        self._lifetime = line("lifetimeEdit", "14d (default)")
        self._lifetime.setToolTip("Nd, Nh, Nm or Ns")
        self._origin = line("originEdit", "optional, space-separated (https://example.com)")
        # A static profile: the key itself (a secret, to the keyring like a client secret) and
        # where requests carry it; the preset's placement shows as the placeholders.
        self._token = SecretField(placeholder="")
        self._token.setObjectName("staticTokenField")
        self._token.setToolTip("The API key or personal access token")
        self._placement = QComboBox()
        self._placement.setObjectName("placementCombo")
        self._placement.addItem("a request header", "header")
        self._placement.addItem("a query parameter (?name=key)", "query")
        self._header_name = line("headerNameEdit")
        self._scheme = line("schemeEdit")
        self._scheme.setToolTip("The word before the key in the header; one ending in = is joined without a space")
        self._bare_key = QCheckBox("no scheme: send the &bare key")
        self._bare_key.setObjectName("bareKeyCheck")
        scheme_row = QWidget()
        scheme_line = QHBoxLayout(scheme_row)
        scheme_line.setContentsMargins(0, 0, 0, 0)
        scheme_line.addWidget(self._scheme, 1)
        scheme_line.addWidget(self._bare_key)
        self._scheme.setAccessibleName(FIELD_LABELS["scheme"].replace("&", ""))
        self._query_param = line("queryParamEdit")

        # The issuer row holds the Discover button and, under both, the discovery status.
        issuer_row = QWidget()
        issuer_column = QVBoxLayout(issuer_row)
        issuer_column.setContentsMargins(0, 0, 0, 0)
        issuer_column.setSpacing(2)
        issuer_line = QHBoxLayout()
        issuer_line.addWidget(self._issuer, 1)
        issuer_line.addWidget(self._discover)
        issuer_column.addLayout(issuer_line)
        issuer_column.addWidget(self._discovery_status)
        self._discovery_status.setVisible(False)
        self._discovery_status.setContentsMargins(3, 0, 0, 0)  # under the line edit's text

        self._form = QFormLayout()
        self._form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        # field key -> (row widget in the form, the widget that receives input)
        self._rows: dict[str, QWidget] = {}
        self._inputs: dict[str, QWidget] = {}

        def add(key: str, widget: QWidget, focus: QWidget | None = None) -> None:
            label = QLabel(FIELD_LABELS[key])
            label.setBuddy(focus or widget)
            self._form.addRow(label, widget)
            self._rows[key] = widget
            self._inputs[key] = focus or widget

        add("provider", self._preset_combo)
        add("name", self._name)
        add("flow", self._flow_combo)
        add("client_id", self._client_id)
        add("client_secret", self._secret)
        add("scopes", self._scopes)
        add("issuer", issuer_row, self._issuer)
        add("redirect_uri", self._redirect_hint, self._redirect)
        add("token_endpoint_auth_method", self._auth_method)
        add("signature_method", self._signature_method)
        add("key", self._key_combo)
        add("key_id", self._key_id)
        add("team_id", self._team_id)
        add("subject", self._subject)
        add("devtoken_ttl", self._lifetime)
        add("origin", self._origin)
        add("token", self._token)
        add("placement", self._placement)
        add("header_name", self._header_name)
        add("scheme", scheme_row, self._scheme)
        add("query_param", self._query_param)

        # The advanced endpoint rows live in the same form, so every label lines up; a
        # "▸ Endpoints ───" header row shows or hides them.
        self._endpoints_toggle = QToolButton()
        self._endpoints_toggle.setObjectName("endpointsToggle")
        self._endpoints_toggle.setText("&Endpoints")
        self._endpoints_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self._endpoints_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self._endpoints_toggle.setAutoRaise(True)
        self._endpoints_toggle.setToolTip("Override the preset's endpoints (advanced)")
        self._endpoints_expanded = False
        self._endpoints_header = QWidget()
        self._endpoints_header.setObjectName("endpointsHeader")
        header_layout = QHBoxLayout(self._endpoints_header)
        header_layout.setContentsMargins(0, 6, 0, 0)
        header_layout.addWidget(self._endpoints_toggle)
        rule = QFrame()
        rule.setFrameShape(QFrame.Shape.HLine)
        rule.setFrameShadow(QFrame.Shadow.Sunken)
        header_layout.addWidget(rule, 1)
        self._form.addRow(self._endpoints_header)
        self._endpoint_edits: dict[str, QLineEdit] = {}
        for key, object_name in _ENDPOINT_ROWS:
            edit = line(object_name)
            self._endpoint_edits[key] = edit
            add(key, edit)

        # One label width for every preset, so the fields do not jump when rows come and go.
        # (add() gives every row a QLabel.)
        labels = [label for w in self._rows.values() if isinstance(label := self._form.labelForField(w), QLabel)]
        width = max(label.sizeHint().width() for label in labels)
        for label in labels:
            label.setMinimumWidth(width)
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        self._validation = QLabel()
        self._validation.setObjectName("validationMessage")
        self._validation.setWordWrap(True)
        self._validation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._validation.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        # A wrapped label's minimum height is computed for a narrow width; with these widths
        # (the narrowest the dialog allows) the dialog's minimum height stays honest.
        self._validation.setMinimumWidth(480)
        self._discovery_status.setMinimumWidth(380)

        # Not an error: what saving will cost (the tokens, when the client or endpoints change).
        self._token_note = QLabel()
        self._token_note.setObjectName("tokenDropNote")
        self._token_note.setWordWrap(True)
        self._token_note.setMinimumWidth(480)
        self._token_note.setVisible(False)

        self._buttons = QDialogButtonBox()
        self._save = self._buttons.addButton("Save", QDialogButtonBox.ButtonRole.AcceptRole)
        self._save.setObjectName("saveButton")
        self._save.setIcon(icon("edit" if self._existing else "add"))
        self._save.setDefault(True)
        self._cancel = self._buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self._cancel.setObjectName("cancelButton")
        self._cancel.setAutoDefault(False)

        # The fields scroll when the screen is too short for them (the generic provider with its
        # endpoints and a discovery error is ~780 px tall); the buttons stay in view.
        fields = QWidget()
        fields.setObjectName("editorFields")
        fields_layout = QVBoxLayout(fields)
        fields_layout.setContentsMargins(0, 0, 0, 0)
        fields_layout.addLayout(self._form)
        fields_layout.addWidget(self._validation)
        # The message's other actions as buttons ("Choose another name…" puts the cursor there).
        self.fix_line = MessageLine(object_name="validationActions")
        fields_layout.addWidget(self.fix_line)
        self._fixes = ErrorActions(
            None,
            local={
                Action.EDIT_FIELD: lambda exc: self.focus_field(exc.field) if exc.field else None,
                Action.CHECK_ENDPOINT: lambda exc: self.focus_field(exc.field or "token_endpoint"),
                Action.CHOOSE_ANOTHER_PORT: lambda exc: self.focus_field("redirect_uri"),
                Action.CHOOSE_ANOTHER_NAME: lambda exc: self.focus_field("name"),
            },
        )
        fields_layout.addWidget(self._token_note)
        fields_layout.addStretch(1)
        self._scroll = FittingScrollArea(fields)
        self._scroll.setObjectName("editorScroll")
        layout = QVBoxLayout(self)
        layout.addWidget(self._scroll, 1)
        layout.addSpacing(6)
        layout.addWidget(self._buttons)

        # Red for the message and a red frame for the field it names come from the theme's style
        # sheet (resources/styles/*.qss: one red per background, each meeting WCAG AA); the
        # dynamic properties are what it selects on.
        self._set_tab_order()

    def _set_tab_order(self) -> None:
        """Form order; hidden widgets are skipped by Qt's focus chain."""
        chain: list[QWidget] = [
            self._preset_combo,
            self._name,
            self._flow_combo,
            self._client_id,
            self._secret,
            self._scopes,
            self._issuer,
            self._discover,
            self._redirect,
            self._auth_method,
            self._signature_method,
            self._key_combo,
            self._key_id,
            self._team_id,
            self._subject,
            self._lifetime,
            self._origin,
            self._token,
            self._placement,
            self._header_name,
            self._scheme,
            self._bare_key,
            self._query_param,
            self._endpoints_toggle,
            *self._endpoint_edits.values(),
            self._save,
            self._cancel,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _connect(self) -> None:
        self._preset_combo.currentIndexChanged.connect(self._on_preset_changed)
        self._flow_combo.currentIndexChanged.connect(self._on_flow_changed)
        self._name.textEdited.connect(self._on_name_edited)
        for edit in (
            self._name,
            self._client_id,
            self._secret,
            self._scopes,
            self._redirect,
            self._key_id,
            self._team_id,
            self._subject,
            self._lifetime,
            self._origin,
            self._token,
            self._header_name,
            self._scheme,
            self._query_param,
            *self._endpoint_edits.values(),
        ):
            edit.textChanged.connect(self._revalidate)
        self._placement.currentIndexChanged.connect(self._on_placement_changed)
        self._bare_key.toggled.connect(self._on_bare_key_toggled)
        self._issuer.textChanged.connect(self._on_issuer_changed)
        self._redirect.textChanged.connect(self._update_redirect_hint)
        self._auth_method.currentIndexChanged.connect(self._revalidate)
        self._signature_method.currentIndexChanged.connect(self._on_signature_method_changed)
        self._key_combo.currentIndexChanged.connect(self._revalidate)
        self._discover.clicked.connect(self.discover)
        self._endpoints_toggle.clicked.connect(lambda: self.set_endpoints_expanded(not self._endpoints_expanded))
        self._save.clicked.connect(self.accept)
        self._cancel.clicked.connect(self.reject)

    def _fill_from(self, record: ProfileRecord) -> None:
        profile = record.profile
        self._filling = True
        try:
            self._preset_combo.setCurrentIndex(max(0, self._preset_combo.findData(profile.provider)))
            self._on_preset_changed()
            self._flow_combo.setCurrentIndex(max(0, self._flow_combo.findData(profile.flow)))
            self._on_flow_changed()
            self._name.setText(profile.name)
            self._name.setReadOnly(True)
            self._name.setToolTip("A profile keeps its name; create a new one to use another name")
            self._client_id.setText(profile.client_id)
            self._secret_placeholder()
            if profile.scopes is not None:
                self._scopes.setText(" ".join(profile.scopes))
            self._issuer.setText(profile.issuer or "")
            for key, edit in self._endpoint_edits.items():
                edit.setText(getattr(profile, key) or "")
            self._redirect.setText(profile.redirect_uri or "")
            if profile.token_endpoint_auth_method:
                method_index = self._auth_method.findData(profile.token_endpoint_auth_method)
                self._auth_method.setCurrentIndex(max(0, method_index))
            self._select_signature_method(profile.signature_method or DEFAULT_SIGNATURE_METHOD)
            if profile.key:
                self._set_key_names([profile.key], select=profile.key)
            self._key_id.setText(profile.key_id or "")
            self._team_id.setText(profile.team_id or "")
            self._subject.setText(profile.subject or "")
            self._lifetime.setText(profile.devtoken_ttl or "")
            self._origin.setText(" ".join(profile.origin or ()))
            self._token_placeholder()
            if profile.placement is not None:
                self._placement.setCurrentIndex(max(0, self._placement.findData(profile.placement)))
            self._header_name.setText(profile.header_name or "")
            self._scheme.setText(profile.scheme or "")
            self._bare_key.setChecked(profile.scheme == "")
            self._query_param.setText(profile.query_param or "")
        finally:
            self._filling = False
        self._update_visibility()
        if any(getattr(profile, k) for k in self._endpoint_edits):
            self.set_endpoints_expanded(True)

    # -- public API ---------------------------------------------------------------------------

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        context: AppContext,
        *,
        existing: ProfileRecord | None = None,
        provider: str | None = None,
        focus_field: str | None = None,
    ) -> ProfileInput | None:
        """Run the dialog with ``exec()``; the validated input, or None when cancelled.

        Call it from a plain slot, never from a coroutine (see the module docstring); the caller
        saves the result with ``await engine.import_profiles([result])``.
        """
        dialog = cls(context, existing=existing, provider=provider, focus_field=focus_field, parent=parent)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            return dialog.result_input()
        finally:
            dialog.deleteLater()

    @classmethod
    async def ask_async(
        cls,
        parent: QWidget | None,
        context: AppContext,
        *,
        existing: ProfileRecord | None = None,
        provider: str | None = None,
    ) -> ProfileInput | None:
        """Like ``ask``, for coroutines: window-modal ``open()``, awaiting ``finished``."""
        dialog = cls(context, existing=existing, provider=provider, parent=parent)
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        def finished(code: int) -> None:
            if not future.done():
                future.set_result(code)

        dialog.finished.connect(finished)
        dialog.open()
        try:
            code = await future
            return dialog.result_input() if code == QDialog.DialogCode.Accepted else None
        finally:
            if future.cancelled():
                dialog.reject()
            dialog.deleteLater()

    def result_input(self) -> ProfileInput:
        """The validated profile (and secret, if one was typed) once the dialog was accepted.

        Raises:
            RuntimeError: the dialog was not accepted.
        """
        if self._result is None:
            raise RuntimeError("the profile editor was not accepted")
        return self._result

    def field(self, key: str) -> QWidget:
        """The input widget of a profile field ("client_id", "token_endpoint", ...)."""
        return self._inputs[key]

    def focus_field(self, key: str) -> bool:
        """Put the cursor in ``key``'s input (the endpoint rows shown first if it is one of
        them); False when the form has no such field for this provider and flow."""
        widget = self._inputs.get(key)
        if widget is None or not self.is_field_shown(key):
            return False
        if key in self._endpoint_edits and not self._endpoints_expanded:
            self.set_endpoints_expanded(True)
        widget.setFocus(Qt.FocusReason.OtherFocusReason)
        if isinstance(widget, QLineEdit):
            widget.selectAll()
        return True

    def is_field_shown(self, key: str) -> bool:
        """Whether ``key``'s row applies to the chosen preset and flow (shown when its section is)."""
        return key in self._applicable()

    def message(self) -> str:
        """The current validation message ("" when the form is valid)."""
        return self._message

    def preset(self) -> Preset:
        return PRESETS[self._preset_combo.currentData()]

    def set_preset(self, provider: str) -> None:
        self._preset_combo.setCurrentIndex(self._preset_combo.findData(provider))

    def set_flow(self, flow: str) -> None:
        index = self._flow_combo.findData(flow)
        if index < 0:
            raise ValueError(f"{self.preset().id} has no flow {flow}")
        self._flow_combo.setCurrentIndex(index)

    def flow(self) -> Flow:
        """The chosen flow (the combo holds the preset's flows; with none chosen, the preset's default)."""
        chosen = self._flow_combo.currentData()
        return next((flow for flow in FLOWS if flow == chosen), self.preset().flows[0])

    def build_table(self) -> dict[str, Any]:
        """The ``[profiles.NAME]`` table the fields describe (the secret included when typed)."""
        preset = self.preset()
        flow = self.flow()
        shown = self._applicable()
        table: dict[str, Any] = {"provider": preset.id, "flow": flow}

        def text(key: str, edit: QLineEdit) -> None:
            value = edit.text().strip()
            if key in shown and value:
                table[key] = value

        text("client_id", self._client_id)
        text("client_secret", self._secret)
        if "scopes" in shown:
            scopes = tuple(self._scopes.text().split())
            # Empty, or the preset's own list: leave it to the preset (None in the profile).
            if scopes and scopes != preset.scopes.get(flow, ()):
                table["scopes"] = list(scopes)
        text("issuer", self._issuer)
        for key, edit in self._endpoint_edits.items():
            text(key, edit)
        text("redirect_uri", self._redirect)
        if "token_endpoint_auth_method" in shown and self._auth_method.currentData():
            table["token_endpoint_auth_method"] = self._auth_method.currentData()
        if "signature_method" in shown:
            method = self._signature_method.currentData()
            old = self._existing.profile if self._existing is not None else None
            # The default is left to the core, unless the edited profile named it already.
            if method != DEFAULT_SIGNATURE_METHOD or (old is not None and old.signature_method is not None):
                table["signature_method"] = method
        if "key" in shown and self._key_combo.currentIndex() >= 0:
            table["key"] = self._key_combo.currentData() or self._key_combo.currentText()
        text("key_id", self._key_id)
        text("team_id", self._team_id)
        text("subject", self._subject)
        text("devtoken_ttl", self._lifetime)
        if "origin" in shown and self._origin.text().split():
            table["origin"] = self._origin.text().replace(",", " ").split()
        if "placement" in shown:
            self._static_table(table)
        if self._existing is not None and not self._existing.profile.auto_renew:
            table["auto_renew"] = False  # not on this form; keep what the profile says
        return table

    def _static_table(self, table: dict[str, Any]) -> None:
        """A static profile's token and placement: only what differs from the preset's default
        (or what the edited profile already said), so the profile follows the preset."""
        token = self._token.text().strip()
        if token:
            table["token"] = token
        placement = self._placement.currentData()
        old = self._existing.profile if self._existing is not None else None
        if placement != self._static_default().placement or (old is not None and old.placement is not None):
            table["placement"] = placement
        if placement == "header":
            if name := self._header_name.text().strip():
                table["header_name"] = name
            if self._bare_key.isChecked():
                table["scheme"] = ""  # the bare key: X-Api-Key: KEY
            elif scheme := self._scheme.text().strip():
                table["scheme"] = scheme
        elif param := self._query_param.text().strip():
            table["query_param"] = param

    def validate(self) -> ProfileInput:
        """Run the core's validation on the fields (and the name check when creating).

        Raises:
            ConfigError: the one-line reason.
        """
        name = self._name.text().strip()
        result = parse_profile(name, self.build_table())
        if self._existing is None and name in self._taken_names:
            raise ConfigError(
                f"a profile named {name!r} already exists", field="name", actions=(Action.CHOOSE_ANOTHER_NAME,)
            )
        # The import would refuse it too (the engine knows the store; here the editor asked it).
        problem = secret_problem(
            self.preset(), result.profile, has_secret=result.client_secret is not None or self._secret_stored
        )
        if problem is not None:
            raise problem
        if problem := static_token_problem(result.profile, has_token=result.static_token is not None or self._token_stored):
            raise problem
        return result

    def drops_tokens(self) -> bool:
        """Whether saving the form as it is deletes the profile's tokens (said under the form)."""
        return self._drops_tokens

    def token_note(self) -> str:
        """The line saying what saving will cost ("" when nothing)."""
        return self._token_note.text() if self._drops_tokens else ""

    def redirect_hint(self) -> RedirectHint:
        """The "register this redirect URI" line under the Redirect URI field."""
        return self._redirect_hint

    def set_endpoints_expanded(self, expanded: bool) -> None:
        """Show or hide the advanced endpoint rows."""
        self._endpoints_expanded = expanded
        self._update_visibility()

    def endpoints_expanded(self) -> bool:
        return self._endpoints_expanded

    def discover(self) -> asyncio.Task[Any] | None:
        """Fetch the issuer's metadata in the background and fill the empty endpoint fields."""
        issuer = self._issuer.text().strip()
        if not issuer or self.discovery_task is not None:
            return None
        self._discover.setEnabled(False)
        self._set_discovery_status("discovering…", error=False)
        self.discovery_task = spawn(self._discover_coro(issuer), name="profile-editor-discover", owner=self)
        return self.discovery_task

    async def load_choices(self) -> None:
        """Key names for the Key combo and, when creating, the names already taken."""
        engine = self._context.engine
        keys = await engine.key_ring.names()
        taken = set(await engine.profile_names()) if self._existing is None else set()
        if self._existing is not None:
            self._secret_stored = await engine.has_client_secret(self._existing.name)
            self._secret_placeholder()
            self._token_stored = await engine.has_static_token(self._existing.name)
            self._token_placeholder()
        self._set_key_names(keys, select=self._key_combo.currentData())
        self._taken_names = taken
        if self._auto_name and self._name.text() == self._auto_name:
            self._auto_name = self._free_name(self.preset().label)
            self._name.setText(self._auto_name)
        self._revalidate()
        self.choices_loaded.emit()

    # -- QDialog ------------------------------------------------------------------------------

    def accept(self) -> None:
        try:
            result = self.validate()
        except MusicAuthError:
            self._revalidate()
            return
        if self._existing is not None and self._context.engine.edit_drops_tokens(self._existing, result.profile):
            # A plain slot (Save, Enter): a modal question is safe here; Cancel is its default.
            if not prompts.confirm(
                self,
                title="Save profile",
                text=f"Saving deletes the tokens of “{self._existing.name}”.",
                informative=self._token_note.text(),
                accept_text="Save and delete the tokens",
                destructive=True,
            ):
                return  # the form stays as it is, the tokens too
        self._result = result
        super().accept()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._sized:
            self._sized = True
            self.resize(max(self.width(), DEFAULT_WIDTH), self.height())
            if self._focus_field is not None:
                self.focus_field(self._focus_field)
        self._relayout()

    def done(self, code: int) -> None:
        for task in (self.discovery_task, self.choices_task):
            if task is not None and not task.done():
                task.cancel()
        self._secret.clear_secret()  # the result (if any) holds it as a Secret now
        self._token.clear_secret()
        super().done(code)

    # -- slots --------------------------------------------------------------------------------

    def _on_preset_changed(self) -> None:
        preset = self.preset()
        old_flow = self._flow_combo.currentData()
        self._flow_combo.blockSignals(True)
        self._flow_combo.clear()
        for flow in preset.flows:
            self._flow_combo.addItem(_FLOW_LABELS.get(flow, flow), flow)
        self._flow_combo.setCurrentIndex(max(0, self._flow_combo.findData(old_flow)))
        self._flow_combo.setEnabled(len(preset.flows) > 1)
        self._flow_combo.blockSignals(False)
        if self._existing is None and (not self._name.text() or self._name.text() == self._auto_name):
            self._auto_name = self._free_name(preset.label)
            self._name.setText(self._auto_name)
        if preset.issuer_required:
            # No endpoints of its own: open the rows so they can be typed or discovered.
            self._endpoints_expanded = True
        self._on_flow_changed()

    def _on_flow_changed(self) -> None:
        preset = self.preset()
        flow = self.flow()
        default = preset.scopes.get(flow, ())
        current = tuple(self._scopes.text().split())
        if not current or current == self._shown_scope_default:
            self._scopes.setText(" ".join(default))
        self._shown_scope_default = default
        self._scopes.setPlaceholderText(" ".join(default) or "optional, space-separated")
        self._fill_auth_methods(preset, flow)
        self._secret_placeholder()
        self._token_placeholder()
        self._show_static_defaults()
        self._update_redirect_hint()
        self._key_id.setPlaceholderText(
            "10 characters, from App Store Connect"
            if preset.id == "apple-music"
            else f"the kid {preset.label} gave for the public key"
        )
        self._update_visibility()
        self._revalidate()

    def _on_placement_changed(self) -> None:
        self._update_visibility()
        self._revalidate()

    def _on_signature_method_changed(self) -> None:
        self._signature_method.setToolTip(SIGNATURE_METHOD_TIPS[self._signature_method.currentData()])
        self._revalidate()

    def _select_signature_method(self, method: str) -> None:
        self._signature_method.setCurrentIndex(max(0, self._signature_method.findData(method)))
        self._signature_method.setToolTip(SIGNATURE_METHOD_TIPS[self._signature_method.currentData()])

    def _on_bare_key_toggled(self, bare: bool) -> None:
        self._scheme.setEnabled(not bare)
        self._revalidate()

    def _on_name_edited(self, _text: str) -> None:
        self._auto_name = ""  # the user chose a name: stop following the preset

    def _on_issuer_changed(self) -> None:
        self._update_endpoint_placeholders()
        self._update_discover_button()
        self._revalidate()

    def _on_choices_failed(self, message: str) -> None:
        self._key_combo.setPlaceholderText("keys unavailable")
        self._key_combo.setToolTip(message)

    # -- helpers ------------------------------------------------------------------------------

    def _applicable(self) -> frozenset[str]:
        # An issuer stays on the form for a preset without discovery only when the edited
        # profile already had one for that very provider.
        old = self._existing.profile if self._existing else None
        has_issuer = bool(old and old.issuer and old.provider == self.preset().id)
        return applicable_fields(self.preset(), self.flow(), has_issuer=has_issuer)

    def _update_visibility(self) -> None:
        shown = self._applicable()
        if "placement" in shown:
            # A header's name and scheme, or a query parameter's name: the rows that apply.
            other = ("query_param",) if self._placement.currentData() == "header" else ("header_name", "scheme")
            shown = shown - set(other)
        self._endpoints_toggle.setArrowType(
            Qt.ArrowType.DownArrow if self._endpoints_expanded else Qt.ArrowType.RightArrow
        )
        for key, row in self._rows.items():
            visible = key in shown and (key not in self._endpoint_edits or self._endpoints_expanded)
            self._form.setRowVisible(row, visible)
        self._update_endpoint_placeholders()
        self._update_discover_button()
        self._relayout()

    def _update_endpoint_placeholders(self) -> None:
        preset = self.preset()
        from_issuer = preset.issuer_required or ("issuer" in self._applicable() and bool(self._issuer.text().strip()))
        for key, edit in self._endpoint_edits.items():
            default = field_default(preset, self.flow(), key)
            if key == "try_url":
                edit.setPlaceholderText(default or "optional: a URL to call with the token")
            elif from_issuer and key in _METADATA_KEYS:
                edit.setPlaceholderText(FROM_METADATA)
            else:
                edit.setPlaceholderText(default or "optional")
        self._issuer.setPlaceholderText(
            "https://id.example.com (required, or set the endpoints)"
            if preset.issuer_required
            else f"optional: {preset.issuer}" if preset.issuer else "optional"
        )

    def _update_discover_button(self) -> None:
        self._discover.setEnabled(self.discovery_task is None and bool(self._issuer.text().strip()))

    def _fill_auth_methods(self, preset: Preset, flow: Flow) -> None:
        current = self._auth_method.currentData()
        default = preset.auth_method.get(flow)
        self._auth_method.blockSignals(True)
        self._auth_method.clear()
        self._auth_method.addItem(
            f"preset default ({default})" if default else "default (post with a secret, else none)", None
        )
        for method in ("client_secret_post", "client_secret_basic", "none"):
            self._auth_method.addItem(method, method)
        self._auth_method.setCurrentIndex(max(0, self._auth_method.findData(current)) if current else 0)
        self._auth_method.blockSignals(False)

    def _secret_placeholder(self) -> None:
        if self._existing is not None and self._secret_stored:
            self._secret.setPlaceholderText(KEEP_SECRET_PLACEHOLDER)
            return
        stored = f"{NO_SECRET_STORED}: " if self._existing is not None else ""
        if self.flow() == "authorization_code":
            self._secret.setPlaceholderText(stored + "optional for public clients (PKCE)")
        elif self.flow() == "devtoken":
            self._secret.setPlaceholderText(stored + "optional: only for the Basic scheme")
        elif self.flow() == "oauth1":
            self._secret.setPlaceholderText(stored + "required: the consumer secret signs every request")
        else:
            self._secret.setPlaceholderText(stored + "required for app tokens")

    def _token_placeholder(self) -> None:
        if self._existing is not None and self._token_stored:
            self._token.setPlaceholderText(KEEP_SECRET_PLACEHOLDER)
        else:
            stored = f"{NO_SECRET_STORED}: " if self._existing is not None else ""
            self._token.setPlaceholderText(stored + "the API key or personal token")

    def _static_default(self) -> StaticPlacement:
        return self.preset().static or StaticPlacement()

    def _show_static_defaults(self) -> None:
        """The preset's placement as the default choice and as the placeholders (Musixmatch:
        ``?apikey=``; Discogs: ``Discogs token=``)."""
        default = self._static_default()
        if self._existing is None or self._existing.profile.placement is None:
            self._placement.blockSignals(True)
            self._placement.setCurrentIndex(max(0, self._placement.findData(default.placement)))
            self._placement.blockSignals(False)
        self._header_name.setPlaceholderText(default.header_name)
        self._scheme.setPlaceholderText(default.scheme or "none: the bare key")
        self._query_param.setPlaceholderText(default.query_param or "required: the parameter's name (apikey, api_key…)")

    def _update_redirect_hint(self) -> None:
        self._redirect_hint.show_for(self.preset(), self._redirect.text().strip())
        self._relayout(shrink=False)

    def _set_key_names(self, names: list[str], *, select: str | None) -> None:
        self._key_combo.blockSignals(True)
        known = [self._key_combo.itemData(i) for i in range(self._key_combo.count())]
        for name in names:
            if name not in known:
                self._key_combo.addItem(icon("key"), name, name)
        if select:
            self._key_combo.setCurrentIndex(self._key_combo.findData(select))
        elif self._key_combo.currentIndex() < 0 and self._key_combo.count() == 1:
            self._key_combo.setCurrentIndex(0)  # the only key: the obvious choice
        self._key_combo.blockSignals(False)

    def _free_name(self, base: str) -> str:
        name, n = base, 2
        while name in self._taken_names:
            name, n = f"{base} {n}", n + 1
        return name

    def _revalidate(self) -> None:
        if self._filling:
            return
        drops = False
        error: ConfigError | None = None
        try:
            result = self.validate()
        except ConfigError as exc:
            message, blamed, error = editor_text(exc), exc.field, exc
        else:
            message, blamed = "", None
            existing = self._existing
            drops = existing is not None and self._context.engine.edit_drops_tokens(existing, result.profile)
        self._show_token_note(drops)
        self._message = message
        self._validation.setText(message)
        self._validation.setVisible(bool(message))
        if message and error is not None:
            # The field at fault is marked already: its Edit button would only repeat it.
            self.fix_line.show_error(error, self._fixes, kind="plain", text="", skip={Action.EDIT_FIELD} if blamed else set())
        else:
            self.fix_line.clear()
        self._save.setEnabled(not message)
        for key, widget in self._inputs.items():
            _set_invalid(widget, key == blamed)
        if blamed in self._endpoint_edits and not self._endpoints_expanded:
            self.set_endpoints_expanded(True)
        self._relayout(shrink=False)

    def _show_token_note(self, drops: bool) -> None:
        self._drops_tokens = drops
        if drops:
            assert self._existing is not None
            lost = "its token and refresh token" if self._existing.token and self._existing.token.refresh_token else "its token"
            again = "sign in again" if self.flow() in ("authorization_code", "oauth1") else "get a new token"
            self._token_note.setText(
                f"Saving deletes {lost}: the client or an endpoint changed, so you will {again}."
            )
        self._token_note.setVisible(drops)

    def _set_discovery_status(self, text: str, *, error: bool) -> None:
        self._discovery_status.setText(text)
        self._discovery_status.setProperty("error", error)
        _repolish(self._discovery_status)
        self._discovery_status.setVisible(bool(text))
        self._relayout(shrink=False)

    async def _discover_coro(self, issuer: str) -> None:
        engine = self._context.engine
        try:
            metadata = await engine.discover(issuer)
        except asyncio.CancelledError:
            raise  # the dialog closed; its widgets may be gone
        except BaseException as exc:
            self.discovery_task = None
            self._update_discover_button()
            text = editor_text(exc) if isinstance(exc, MusicAuthError) else error_text(exc)
            self._set_discovery_status(text, error=True)
            self.discovery_finished.emit(False, text)
            if not isinstance(exc, MusicAuthError):
                raise  # a bug: spawn() hands it to sys.excepthook
            return
        self.discovery_task = None
        self._update_discover_button()
        filled = self._fill_endpoints(metadata)
        kind = "RFC 8414" if OAUTH_SUFFIX in metadata.source else "OpenID Connect"
        text = f"found: {kind} metadata"
        self._set_discovery_status(text, error=False)
        self._discovery_status.setToolTip(
            f"{metadata.source}\nfilled: {', '.join(filled) if filled else 'nothing (all were set)'}"
        )
        if filled:
            self.set_endpoints_expanded(True)
        self._revalidate()
        self.discovery_finished.emit(True, text)

    def _fill_endpoints(self, metadata: ServerMetadata) -> list[str]:
        filled = []
        for key, metadata_key in _METADATA_KEYS.items():
            edit = self._endpoint_edits[key]
            value = metadata.endpoint(metadata_key)
            if value and not edit.text().strip():
                edit.setText(value)
                filled.append(key.replace("_endpoint", ""))
        return filled

    def _relayout(self, *, shrink: bool = True) -> None:
        """Fit the height to the rows shown now (wrapped messages included); keep the width.

        Args:
            shrink: also shrink; messages only grow the dialog, so it does not jump as one
                appears and goes while the user types.
        """
        layout = self.layout()
        if layout is None or not self.isVisible():
            return  # sizes of a hidden dialog are not final; showEvent fits it
        self._scroll.updateGeometry()  # its hint follows the fields, which it is not told of
        layout.invalidate()
        layout.activate()
        width = max(self.width(), self.minimumSizeHint().width())
        height = self.heightForWidth(width)  # wrapped labels: the height at this width
        height = height if height > 0 else self.sizeHint().height()
        height = min(height, self.fitting_height())  # the fields scroll beyond
        if shrink or height > self.height():
            self.resize(width, height)

    def fitting_height(self) -> int:
        """The tallest the dialog may be: its screen's free height, less its title bar."""
        screen = self.screen()
        available = screen.availableGeometry().height() if screen is not None else 600
        title_bar = self.frameGeometry().height() - self.geometry().height()
        return available - max(title_bar, 32)  # no frame yet (or none: Xvfb): a usual one

_FLOW_LABELS = {
    "authorization_code": "Sign-in (authorization code + PKCE)",
    "client_credentials": "App token (client credentials)",
    "devtoken": "Developer token (ES256)",
    "device": "Sign-in with a code on another device",
    "static": "API key or personal token",
    "oauth1": "Sign-in (OAuth 1.0a)",
    "music_user_token": "Apple Music user token (MusicKit on a web page)",
}
#: What each OAuth 1.0a signature method means, one line each (RFC 5849 §3.4).
SIGNATURE_METHOD_TIPS = {
    "PLAINTEXT": "Sends the secrets themselves, protected by TLS alone; binds nothing of the request",
    "HMAC-SHA1": "Signs the method, the URL and the parameters with the secrets, which never travel",
}


def field_default(preset: Preset, flow: Flow, key: str) -> str | None:
    """The URL a profile of ``preset`` with ``flow`` uses when ``key`` is left empty (the
    placeholder), or None when there is none.

    Apple Music's API and MusicKit JS are not preset endpoints but constants of its module.
    """
    if key == "musickit_js_url":
        return MUSICKIT_JS_URL if flow == "music_user_token" else None
    if key == "api_endpoint" and flow == "music_user_token":
        return APPLE_MUSIC_API
    value = getattr(preset, key, None)
    return value if isinstance(value, str) else None


def _repolish(widget: QWidget) -> None:
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    widget.update()


def _set_invalid(widget: QWidget, invalid: bool) -> None:
    if bool(widget.property("invalid")) == invalid:
        return
    widget.setProperty("invalid", invalid)
    _repolish(widget)
