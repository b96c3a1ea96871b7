"""The label of each profile field, as the profile editor shows it: one table for the form and
for the words of an error about a field ("Edit Client secret"), so the two never disagree."""

from __future__ import annotations

# Field key (the profiles file's) -> label with its mnemonic. The endpoint rows sit under the
# editor's "Endpoints" header, which their short labels ("Token") lean on.
FIELD_LABELS: dict[str, str] = {
    "provider": "&Provider",
    "name": "&Name",
    "flow": "&Flow",
    "client_id": "&Client id",
    "client_secret": "Client &secret",
    "scopes": "Sc&opes",
    "issuer": "&Issuer",
    "redirect_uri": "&Redirect URI",
    "token_endpoint_auth_method": "Client &auth",
    # OAuth 1.0a (Discogs): no scopes, no client auth; the letter m is the static scheme's.
    "signature_method": "Signature &method",
    "key": "&Key",
    "key_id": "Ke&y id",
    "team_id": "&Team id",
    "subject": "Su&bject",
    "devtoken_ttl": "&Lifetime",
    "origin": "Ori&gin",
    # A static profile's rows (no client, no endpoints beside them: their letters are free).
    "token": "&Token",
    "placement": "Pl&acement",
    "header_name": "&Header name",
    "scheme": "Sche&me",
    "query_param": "&Query parameter",
    "request_token_endpoint": "Re&quest token",
    "authorization_endpoint": "Aut&horization",
    "token_endpoint": "To&ken",
    "device_authorization_endpoint": "Device authori&zation",
    "introspection_endpoint": "In&trospection",
    "revocation_endpoint": "Re&vocation",
    "logout_endpoint": "Lo&gout",
    "api_endpoint": "&API",
    "musickit_js_url": "&MusicKit JS URL",
    "try_url": "Try &URL",
}

def field_label(field: str) -> str:
    """The label of ``field`` in running text: no mnemonic, and an endpoint said to be one
    (outside the form there is no "Endpoints" header to say it)."""
    label = FIELD_LABELS.get(field)
    if label is None:  # a field the form does not show (auto_renew): its key, in words
        return field.replace("_", " ").capitalize()
    label = label.replace("&", "")
    if field.endswith("_endpoint"):
        label += " endpoint"
    return label
