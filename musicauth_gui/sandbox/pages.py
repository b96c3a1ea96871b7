"""The few HTML pages a person sees from the emulators: consent, errors, sign-out.

Small, friendly and self-contained (inline CSS, no scripts, no external resources), because in demo
mode a real browser shows them. Everything reflected from a request is HTML-escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

__all__ = ["CONSENT_MODES", "checked_consent", "consent_page", "device_page", "error_page", "message_page"]

#: How an emulator's one user answers an authorization request: at once either way, or on a
#: consent page with Approve and Deny.
CONSENT_MODES = ("approve", "deny", "interactive")


def checked_consent(mode: str) -> str:
    """``mode`` if it is one of ``CONSENT_MODES`` (an emulator's ``consent`` setter); ValueError otherwise."""
    if mode not in CONSENT_MODES:
        raise ValueError(f"consent must be one of {', '.join(CONSENT_MODES)}, not {mode!r}")
    return mode

_STYLE = """
body { font: 16px/1.5 system-ui, sans-serif; background: #f4f5f7; color: #1d2330; margin: 0; }
main { max-width: 28rem; margin: 4rem auto; background: #fff; border-radius: 12px;
       padding: 2rem; box-shadow: 0 2px 12px rgba(0, 0, 0, .08); }
h1 { font-size: 1.3rem; margin-top: 0; }
code { background: #eef0f4; border-radius: 4px; padding: 0 .3rem; }
ul { padding-left: 1.2rem; }
.note { color: #5b6475; font-size: .9rem; }
.buttons { display: flex; gap: .75rem; margin-top: 1.5rem; }
button { flex: 1; font: inherit; padding: .6rem; border-radius: 8px; border: 1px solid #c6cbd6;
         background: #fff; cursor: pointer; }
button.approve { background: #2f6fed; border-color: #2f6fed; color: #fff; }
"""


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )


def consent_page(
    *, provider: str, client_id: str, scopes: Sequence[str], user_id: str, decision_url: str, request_id: str
) -> str:
    """The consent screen with Approve and Deny buttons.

    Args:
        provider: The provider's display name.
        client_id: The client asking for access.
        scopes: The requested scopes.
        user_id: The (fixed) signed-in user.
        decision_url: Where the buttons POST.
        request_id: The pending request the decision is for.

    Returns:
        The HTML page.
    """
    items = "".join(f"<li><code>{escape(scope)}</code></li>" for scope in scopes) or "<li>(no scope)</li>"
    body = (
        f"<h1>{escape(provider)} (sandbox)</h1>"
        f"<p>The application <code>{escape(client_id)}</code> asks to access your account"
        f" <code>{escape(user_id)}</code> with these permissions:</p><ul>{items}</ul>"
        f'<form method="post" action="{escape(decision_url)}">'
        f'<input type="hidden" name="request_id" value="{escape(request_id)}">'
        '<div class="buttons">'
        '<button type="submit" name="decision" value="deny">Deny</button>'
        '<button type="submit" name="decision" value="approve" class="approve">Approve</button>'
        "</div></form>"
        '<p class="note">This is a local emulator: no real account is involved.</p>'
    )
    return _page(f"{provider}: authorize {client_id}", body)


def device_page(*, provider: str, user_code: str | None, client_id: str | None, scopes: Sequence[str], decision_url: str) -> str:
    """The device flow's verification page (RFC 8628 §3.3): the code to check (filled in from
    ``verification_uri_complete``) or to type, with Approve and Deny.

    Args:
        provider: The provider's display name.
        user_code: The code of a pending request (None: a field to type it in).
        client_id, scopes: What the pending request asks for (None and empty without a code).
        decision_url: Where the buttons POST ``user_code`` and ``decision``.
    """
    if user_code is None:
        asks = '<p>Enter the code shown on your device.</p><p><input name="user_code" autocomplete="off" required></p>'
    else:
        items = "".join(f"<li><code>{escape(scope)}</code></li>" for scope in scopes) or "<li>(no scope)</li>"
        asks = (
            f"<p>The application <code>{escape(client_id or '')}</code> on another device asks to access your"
            f" account with these permissions:</p><ul>{items}</ul>"
            f"<p>Check that your device shows <code>{escape(user_code)}</code>.</p>"
            f'<input type="hidden" name="user_code" value="{escape(user_code)}">'
        )
    body = (
        f"<h1>{escape(provider)} (sandbox): connect a device</h1>"
        f'<form method="post" action="{escape(decision_url)}">{asks}'
        '<div class="buttons">'
        '<button type="submit" name="decision" value="deny">Deny</button>'
        '<button type="submit" name="decision" value="approve" class="approve">Approve</button>'
        "</div></form>"
        '<p class="note">This is a local emulator: no real account is involved.</p>'
    )
    return _page(f"{provider}: connect a device", body)


def error_page(title: str, message: str) -> str:
    """An error page for mistakes that must not be redirected (unknown client, bad redirect URI)."""
    return _page(title, f"<h1>{escape(title)}</h1><p>{escape(message)}</p>")


def message_page(title: str, message: str) -> str:
    """A neutral page, e.g. "You have signed out"."""
    return _page(title, f"<h1>{escape(title)}</h1><p>{escape(message)}</p>")
