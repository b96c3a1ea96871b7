"""The few HTML pages a person sees from the emulators: consent, errors, sign-out.

Small, friendly and self-contained (inline CSS, no scripts, no external resources), because in demo
mode a real browser shows them. Everything reflected from a request is HTML-escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

__all__ = ["consent_page", "error_page", "message_page"]

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


def error_page(title: str, message: str) -> str:
    """An error page for mistakes that must not be redirected (unknown client, bad redirect URI)."""
    return _page(title, f"<h1>{escape(title)}</h1><p>{escape(message)}</p>")


def message_page(title: str, message: str) -> str:
    """A neutral page, e.g. "You have signed out"."""
    return _page(title, f"<h1>{escape(title)}</h1><p>{escape(message)}</p>")
