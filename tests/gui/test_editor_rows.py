"""The profile editor has a row for every profile field some provider and flow uses, shown for
exactly those; a static key's "bare key" choice is a header's alone."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox

from musicauth_gui.core.model import PROFILE_FIELDS
from musicauth_gui.core.presets import PRESETS
from musicauth_gui.core.profiles_file import applicable_fields
from musicauth_gui.gui.dialogs.profile_editor import ProfileEditorDialog

from .conftest import run

#: Fields set somewhere else than the editor, and where.
NOT_ON_THE_FORM = {"auto_renew": "the detail pane's Auto-renew checkbox"}
USED = {
    key
    for preset in PRESETS.values()
    for flow in preset.flows
    for has_issuer in (False, True)
    for key in applicable_fields(preset, flow, has_issuer=has_issuer)
}


def test_every_field_a_provider_uses_has_a_row_shown_for_it(qtbot, memory_context) -> None:  # type: ignore[no-untyped-def]
    assert {"api_endpoint", "request_token_endpoint", "signature_method", "musickit_js_url"} <= USED
    dialog = ProfileEditorDialog(memory_context)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(dialog.choices_task.done)
    dialog.show()
    dialog.set_endpoints_expanded(True)
    missing = [key for key in PROFILE_FIELDS if key in USED and key not in NOT_ON_THE_FORM and not _has_row(dialog, key)]
    assert missing == []
    # Each is on screen for the providers and flows that use it, and for no other.
    for preset in PRESETS.values():
        dialog.set_preset(preset.id)
        for flow in preset.flows:
            dialog.set_flow(flow)
            applies = applicable_fields(preset, flow)
            for key in USED & set(PROFILE_FIELDS) - set(NOT_ON_THE_FORM) - {"header_name", "scheme", "query_param"}:
                assert dialog.field(key).isVisible() == (key in applies), (preset.id, flow, key)


def _has_row(dialog: ProfileEditorDialog, key: str) -> bool:
    try:
        dialog.field(key)
    except KeyError:
        return False
    return True


@pytest.mark.parametrize("provider", ["apikey", "musixmatch"])
def test_a_bare_key_is_a_headers_choice_and_never_reaches_a_query_key(qtbot, qloop, memory_context, provider) -> None:  # type: ignore[no-untyped-def]
    dialog = ProfileEditorDialog(memory_context, provider=provider)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(dialog.choices_task.done)
    dialog.show()
    dialog.set_flow("static")
    placement, scheme = dialog.field("placement"), dialog.field("scheme")
    bare = dialog.findChild(QCheckBox, "bareKeyCheck")
    qtbot.keyClicks(dialog.field("token"), "k3y-value-for-the-test")
    placement.setCurrentIndex(placement.findData("header"))
    qtbot.mouseClick(bare, Qt.MouseButton.LeftButton)
    assert bare.isChecked() and not scheme.isEnabled() and dialog.build_table()["scheme"] == ""
    # In the query a scheme means nothing: its row (and the bare-key box) go, and so does "".
    placement.setCurrentIndex(placement.findData("query"))
    assert not scheme.isVisible() and not bare.isVisible() and dialog.field("query_param").isVisible()
    dialog.field("query_param").setText("apikey")
    assert "scheme" not in dialog.build_table() and dialog.message() == ""
    dialog.accept()
    [name] = run(qtbot, qloop, memory_context.engine.import_profiles([dialog.result_input()]))
    stored = run(qtbot, qloop, memory_context.engine.load(name)).profile
    assert (stored.placement or "query", stored.query_param, stored.scheme) == ("query", "apikey", None)
