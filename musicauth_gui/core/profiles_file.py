"""The profiles file (TOML, see docs/cli.md): which fields apply to which flow, parsing,
validation and secret-free export."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .devtoken import check_lifetime, parse_ttl
from .env_secret import EnvSecret, StoredSecret, parse_secret
from .errors import Action, ConfigError
from .input_file import STDIN, read_input
from .model import (
    AUTH_METHODS,
    ENDPOINT_FIELDS,
    FLOWS,
    PLACEMENTS,
    PROFILE_FIELDS,
    SECRET_FIELDS,
    SIGNATURE_METHODS,
    AuthMethod,
    Flow,
    Profile,
    ProfileRecord,
)
from .names import MAX_NAME_LENGTH, name_problem, shown
from .presets import Preset, get_preset
from .record import frozen_record
from .urls import check_endpoint

# The TOML reader and writer and the redirect URI's parser are imported where used: the engine
# asks this module's rules for every refresh (``client_auth_method``), which reads no file
# (benchmarks/README.md, "Start-up").

_URL_FIELDS = ("issuer", *ENDPOINT_FIELDS, "try_url", "musickit_js_url")  # api_endpoint is an endpoint field
_STRING_FIELDS = set(PROFILE_FIELDS) - {"scopes", "origin", "auto_renew"}

# Which fields mean something for which flow: the one table that the checks below, the profile
# editor's rows and docs/cli.md follow. ``name`` is the table's key in the file, a field in the
# editor. The preset adds a few (``applicable_fields``).
_EVERY_FLOW = frozenset({"name", "provider", "flow", "try_url", "auto_renew"})
_OAUTH_FIELDS = frozenset(
    {
        "client_id",
        "client_secret",
        "scopes",
        "token_endpoint",
        "introspection_endpoint",
        "revocation_endpoint",
        "token_endpoint_auth_method",
    }
)
FLOW_FIELDS: dict[Flow, frozenset[str]] = {
    "authorization_code": _EVERY_FLOW | _OAUTH_FIELDS | {"authorization_endpoint", "logout_endpoint", "redirect_uri"},
    "client_credentials": _EVERY_FLOW | _OAUTH_FIELDS,
    "devtoken": _EVERY_FLOW | {"key", "key_id", "subject", "devtoken_ttl"},
    # RFC 8628: no browser on this machine, no redirect; the device endpoint beside the token one.
    "device": _EVERY_FLOW | _OAUTH_FIELDS | {"device_authorization_endpoint"},
    # An API key or personal token, and where it goes in a request.
    "static": _EVERY_FLOW | {"token", "placement", "header_name", "scheme", "query_param"},
    # OAuth 1.0a (RFC 5849): the consumer key and secret, the three endpoints of its legs, the
    # loopback callback, and how requests are signed. No scopes, no discovery.
    "oauth1": _EVERY_FLOW
    | {
        "client_id",
        "client_secret",
        "request_token_endpoint",
        "authorization_endpoint",
        "token_endpoint",
        "redirect_uri",
        "signature_method",
    },
    # Apple's Music User Token: a developer token signed here (as for ``devtoken``; its lifetime
    # and origin are those of the developer tokens sent beside the user token) configures
    # MusicKit JS on a loopback page; where that script and the API live can be overridden.
    "music_user_token": _EVERY_FLOW
    | {"key", "key_id", "devtoken_ttl", "origin", "musickit_js_url", "api_endpoint"},
}
#: Last.fm's web authentication (``dialect="lastfm"``): the API key and shared secret, the
#: browser page and the API; no scopes, no token endpoint, no redirect URI to register.
_LASTFM_FIELDS = _EVERY_FLOW | {"client_id", "client_secret", "authorization_endpoint", "api_endpoint"}
#: The flows whose requests carry a developer token signed from the profile's key.
_SIGNING_FLOWS = ("devtoken", "music_user_token")
#: A header name as HTTP allows one (RFC 9110 §5.6.2: a token).
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


def applicable_fields(preset: Preset, flow: Flow, *, has_issuer: bool = False) -> frozenset[str]:
    """The profile fields that mean something for ``preset`` with ``flow`` (the editor hides the rest).

    Args:
        has_issuer: the profile already sets an issuer (kept then even for presets that do not
            use discovery themselves).
    """
    fields = set(FLOW_FIELDS[flow])
    if preset.dialect == "lastfm" and flow == "authorization_code":
        return _LASTFM_FIELDS
    if flow in ("static", "oauth1"):
        return frozenset(fields)
    if flow == "music_user_token":
        return frozenset(fields | {preset.devtoken_issuer})  # team_id
    if flow == "devtoken":
        fields.add(preset.devtoken_issuer)  # client_id (MusicAPI) or team_id (Apple)
        if preset.devtoken_issuer != "client_id":
            fields.add("origin")  # Apple's optional claim; MusicAPI has none
        if "basic" in preset.extra_schemes:  # MusicAPI's Basic scheme sends id:secret
            fields.add("client_secret")
    elif preset.issuer_required or preset.issuer or has_issuer:
        fields.add("issuer")
    return frozenset(fields)


def required_fields(preset: Preset, flow: Flow) -> tuple[str, ...]:
    """The fields a profile cannot do without (beyond ``provider``): a DevToken's issuer, key
    and key id, or every OAuth flow's client id."""
    if flow in _SIGNING_FLOWS:
        return (preset.devtoken_issuer, "key", "key_id")
    if flow == "static":
        return ()  # the token may already be stored (an import without it keeps it)
    return ("client_id",)


def client_auth_method(preset: Preset, profile: Profile, *, has_secret: bool) -> AuthMethod:
    """How the client authenticates at the token endpoint: the profile's choice, else the
    preset's for its flow, else ``client_secret_post`` with a secret and ``none`` without."""
    method = profile.token_endpoint_auth_method or preset.auth_method.get(profile.flow)
    if method is None:
        method = "client_secret_post" if has_secret else "none"
    return method


def secret_problem(preset: Preset, profile: Profile, *, has_secret: bool) -> ConfigError | None:
    """Why ``profile`` cannot work without a client secret, when it has none (else None).

    Not part of ``parse_profile``: a table without ``client_secret`` keeps the secret already
    stored (docs/cli.md, ``import``), so only whoever knows the store can decide. The engine's
    import and the profile editor both ask here.
    """
    if has_secret or profile.flow in ("devtoken", "static", "music_user_token"):
        return None
    if preset.dialect == "lastfm":
        message = "the shared secret is needed: it signs every Last.fm call (api_sig)"
        return ConfigError(message, profile=profile.name, field="client_secret", actions=(Action.EDIT_FIELD,))
    method = client_auth_method(preset, profile, has_secret=False)
    if profile.flow == "oauth1":
        # RFC 5849 §3.4: every signature method uses the client (consumer) secret.
        message = "OAuth 1.0a signs every request with the consumer secret (client_secret)"
    elif profile.flow == "client_credentials":
        # RFC 6749 §4.4: the client credentials grant is for confidential clients only.
        message = "an app token (client credentials) needs the client secret"
    elif method != "none":
        message = f"the client secret is needed: the client authenticates with it ({method})"
    else:
        return None  # a public client: PKCE alone (RFC 7636)
    return ConfigError(message, profile=profile.name, field="client_secret", actions=(Action.EDIT_FIELD,))


def static_token_problem(profile: Profile, *, has_token: bool) -> ConfigError | None:
    """Why a static profile cannot work, when no token is given nor stored (else None).

    Like ``secret_problem``, outside ``parse_profile``: a table without ``token`` keeps the one
    stored. The profile editor asks here; the CLI's import still takes a token-less profile
    (the token may come later, or as ``{ env = "VAR" }``) and says so when it is used.
    """
    if profile.flow != "static" or has_token:
        return None
    return ConfigError("the token (API key) is required", profile=profile.name, field="token", actions=(Action.EDIT_FIELD,))


@frozen_record
class ProfileInput:
    """A validated profile with the secret that came with it (if any)."""

    profile: Profile
    client_secret: StoredSecret | None
    #: A static profile's ``token`` (an API key or personal token), when the file gives one.
    static_token: StoredSecret | None = None


def validate_name(name: str, *, what: str = "profile") -> str:
    """A profile or key name: it becomes part of a keyring entry name (``profile/<name>``) and
    of every message about it (the rules are in ``core.names``)."""
    problem = name_problem(name)
    if problem is not None:
        raise ConfigError(
            f"{what} name {shown(name)} is not valid: {problem} "
            f"(a name is 1-{MAX_NAME_LENGTH} characters without slashes, control or invisible characters)",
            field="name",
            actions=(Action.EDIT_FIELD,),
        )
    return name


def parse_profile(name: str, table: dict[str, Any]) -> ProfileInput:
    """Validate one ``[profiles.NAME]`` table.

    Raises:
        ConfigError: with ``profile`` and the ``field`` at fault; the message is about the
            field and does not name the profile (see ``core.errors``).
    """
    validate_name(name)
    wrong = functools.partial(_wrong, name)
    unknown = set(table) - set(PROFILE_FIELDS) - set(SECRET_FIELDS)
    if unknown:
        raise wrong(f"unknown field(s) {', '.join(sorted(unknown))}", min(unknown))
    provider = table.get("provider")
    if not isinstance(provider, str):
        raise wrong("'provider' is required", "provider")
    try:
        preset = get_preset(provider)
    except ConfigError as exc:
        raise exc.about(profile=name, field="provider") from None
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key in _STRING_FIELDS and not isinstance(value, str):
            raise wrong(f"{key} must be a string", key)
        if key in (*SECRET_FIELDS, "provider"):
            continue
        values[key] = value
    flow = values.get("flow", preset.default_flow)
    if flow not in FLOWS:
        raise wrong(f"flow must be one of {', '.join(FLOWS)}", "flow")
    if flow not in preset.flows:
        raise wrong(f"provider {provider} supports {', '.join(preset.flows)}, not {flow}", "flow")
    values["flow"] = flow
    for listed in ("scopes", "origin"):
        items = values.get(listed)
        if items is None:
            continue
        if isinstance(items, str):
            items = items.split()
        if not isinstance(items, list) or not all(isinstance(s, str) and s for s in items):
            raise wrong(f"{listed} must be a list of strings", listed)
        values[listed] = tuple(items)
    if "auto_renew" in values and not isinstance(values["auto_renew"], bool):
        raise wrong("auto_renew must be true or false", "auto_renew")
    method = values.get("token_endpoint_auth_method")
    if method is not None and method not in AUTH_METHODS:
        raise wrong(f"token_endpoint_auth_method must be one of {', '.join(AUTH_METHODS)}", "token_endpoint_auth_method")
    signature_method = values.get("signature_method")
    if signature_method is not None and signature_method not in SIGNATURE_METHODS:
        raise ConfigError.of_field("signature_method", f"must be one of {', '.join(SIGNATURE_METHODS)}", profile=name)
    if method == "none" and preset.client_secret_required:
        raise wrong(f"{preset.label} needs the client secret from every application", "token_endpoint_auth_method")
    try:
        for key in _URL_FIELDS:
            if values.get(key):
                check_endpoint(values[key], key)
        if values.get("redirect_uri"):
            from .oauth.loopback import parse_redirect_uri

            parse_redirect_uri(values["redirect_uri"])
    except ConfigError as exc:
        raise exc.about(profile=name) from None
    for required in required_fields(preset, flow):
        if not values.get(required):
            raise wrong(f"{required} is required" + (" for DevTokens" if flow == "devtoken" else ""), required)
    if flow in _SIGNING_FLOWS:
        _check_devtoken_fields(name, preset, values)
    if flow == "static":
        _check_static_fields(name, preset, values)
    if preset.issuer_required and flow != "static" and not values.get("issuer"):
        needed = {
            "client_credentials": ("token_endpoint",),
            "device": ("device_authorization_endpoint", "token_endpoint"),
        }.get(flow, ("authorization_endpoint", "token_endpoint"))
        if not all(values.get(k) for k in needed):
            raise wrong("provider oauth2 needs an issuer (or explicit endpoints)", "issuer")
    if flow == "authorization_code" and preset.required_scopes:
        chosen = values.get("scopes") or preset.scopes.get(flow, ())
        missing = [s for s in preset.required_scopes if s not in chosen]
        if missing:
            raise wrong(f"{provider} sign-in needs the scope(s) {' '.join(missing)}", "scopes")
    secret = parse_secret(table.get("client_secret"), profile=name, field="client_secret")
    static_token = parse_secret(table.get("token"), profile=name, field="token")
    profile = Profile(name=name, provider=provider, **values)
    return ProfileInput(profile=profile, client_secret=secret, static_token=static_token)


def _wrong(name: str, message: str, field: str) -> ConfigError:
    """A value of profile ``name`` that cannot be: fixed by editing that field."""
    return ConfigError(message, profile=name, field=field, actions=(Action.EDIT_FIELD,))


def _check_devtoken_fields(name: str, preset: Preset, values: dict[str, Any]) -> None:
    wrong = functools.partial(_wrong, name)
    if preset.id == "apple-music":
        # Apple's Team ID and Key ID are both 10 characters (App Store Connect shows them).
        for field_name in ("team_id", "key_id"):
            if not re.fullmatch(r"[A-Z0-9]{10}", values[field_name]):
                raise wrong(f"{field_name} must be Apple's 10-character id (A-Z, 0-9)", field_name)
    try:
        check_lifetime(parse_ttl(values.get("devtoken_ttl")), preset.devtoken_max_ttl)
    except ConfigError as exc:
        raise exc.about(profile=name, field="devtoken_ttl") from None


def _check_static_fields(name: str, preset: Preset, values: dict[str, Any]) -> None:
    """Where a static secret goes: a known placement, a header name HTTP allows, and a query
    parameter's name when it goes in the query (the profile's, else the preset's).

    Each message is the field's key and a rule (``ConfigError.of_field``): the profile editor
    names these fields by their labels ("Header name must be ...")."""
    wrong = functools.partial(ConfigError.of_field, profile=name)
    default = preset.static
    placement = values.get("placement") or (default.placement if default else "header")
    if placement not in PLACEMENTS:
        raise wrong("placement", f"must be one of {', '.join(PLACEMENTS)}")
    header_name = values.get("header_name")
    if header_name is not None and not _HEADER_NAME.fullmatch(header_name):
        raise wrong("header_name", "must be an HTTP header name (letters, digits and -, no spaces)")
    scheme = values.get("scheme")
    if scheme is not None and (scheme != scheme.strip() or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in scheme)):
        raise wrong("scheme", "must have no control characters and no spaces around it (empty: the bare value)")
    if placement == "query":
        param = values.get("query_param") or (default.query_param if default else None)
        if not param:
            raise wrong("query_param", "is required for a key sent as a query parameter")


def parse_profiles_text(text: str, *, source: str = "the text") -> list[ProfileInput]:
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source} is not valid TOML ({exc})") from None
    except RecursionError:
        # tomllib parses nested arrays and inline tables recursively: [[[[...]]]] a few
        # thousand deep exhausts the interpreter's stack. No profile nests at all.
        raise ConfigError(f"{source} nests arrays or tables too deeply to hold profiles") from None
    profiles = data.get("profiles")
    if not isinstance(profiles, dict) or not profiles:
        raise ConfigError(f"{source} has no [profiles.NAME] tables")
    out = []
    for name, table in profiles.items():
        if not isinstance(table, dict):
            raise ConfigError(f"{source}: profile {shown(name)} must be a table ([profiles.NAME])")
        out.append(parse_profile(name, table))
    return out


def read_profiles_file(path: str | Path) -> list[ProfileInput]:
    """Parse the profiles file at ``path`` (``-``: stdin), at most ``MAX_INPUT_BYTES`` of it."""
    source = "stdin" if str(path) == STDIN else str(path)
    data = read_input(str(path), what="file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"cannot read {source}: it is not UTF-8 text") from None
    return parse_profiles_text(text, source=source)


#: Stands in for ``{ env = "VAR" }`` while tomli_w writes the document: it would write a table
#: value as a sub-table of its own (``[profiles.ci.client_secret]``), valid but far from what
#: the user wrote. A variable name is ``[A-Za-z_][A-Za-z0-9_]*``, so it needs no escaping.
_REFERENCE_MARK = "musicauth-env-reference:"
_REFERENCE_LINE = re.compile(rf'^(\w+) = "{_REFERENCE_MARK}(\w+)"$', re.MULTILINE)


def export_profiles(profiles: Sequence[Profile | ProfileRecord]) -> str:
    """TOML for ``profiles``, without any secret's value.

    A ``Profile`` holds no secret to write. For a ``ProfileRecord``, a secret read from the
    environment is written back as its reference, ``client_secret = { env = "VAR" }``.
    """
    import tomli_w

    document: dict[str, Any] = {"profiles": {}}
    for item in profiles:
        profile = item.profile if isinstance(item, ProfileRecord) else item
        table = profile.to_dict()
        if isinstance(item, ProfileRecord) and isinstance(item.client_secret, EnvSecret):
            table = _insert_after(table, "client_id", "client_secret", _REFERENCE_MARK + item.client_secret.variable)
        if isinstance(item, ProfileRecord) and isinstance(item.static_token, EnvSecret):
            table = _insert_after(table, "flow", "token", _REFERENCE_MARK + item.static_token.variable)
        document["profiles"][profile.name] = table
    return _REFERENCE_LINE.sub(r'\1 = { env = "\2" }', tomli_w.dumps(document))


def _insert_after(table: dict[str, Any], after: str, key: str, value: Any) -> dict[str, Any]:
    """``table`` with ``key`` placed after ``after`` (where the file's example puts it), else first."""
    keys = list(table)
    at = keys.index(after) + 1 if after in keys else 0
    items = list(table.items())
    return dict([*items[:at], (key, value), *items[at:]])
