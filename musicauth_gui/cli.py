"""The ``musicauth`` command line: a thin adapter over the core (see docs/cli.md).

Errors end with a non-zero exit and one line on stderr; no traceback (set MUSICAUTH_DEBUG=1 to
see one), and every line printed passes through the secret scrubber.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable, Coroutine, Sequence
from typing import TYPE_CHECKING, Any, NoReturn, cast

from . import __version__
from .core.errors import Action, MusicAuthError, NeedsSignIn, ProviderError, ProviderRejected, SignInCancelled
from .core.names import shell_arg, shown
from .core.secret import scrub

# Imported where used: a command loads only what it needs, and `token` with a valid stored
# token never loads the event loop, the HTTP stack or the engine (benchmarks/README.md,
# "Start-up", lists every such shortcut).
if TYPE_CHECKING:
    import argparse
    from pathlib import Path

    from .core.engine import DeviceCode, TokenEngine
    from .core.model import ProfileRecord, TokenSet
    from .core.state import DamagedEntry, ProfileState
    from .core.usage import Credential

EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_NEEDS_SIGN_IN = 3
EXIT_PROVIDER = 4
EXIT_CANCELLED = 130
EXIT_INTERNAL = 70
#: ``exec``: its command could not be started (as a shell reports these).
EXIT_CANNOT_RUN = 126
EXIT_COMMAND_NOT_FOUND = 127

FORMATS = ("raw", "header", "json", "curl")
SCHEMES = ("token", "basic", "devtoken")


def _eprint(text: str) -> None:
    print(scrub(text), file=sys.stderr, flush=True)


# -- errors in words --------------------------------------------------------------------------


def error_line(exc: MusicAuthError) -> str:
    """The one line the terminal shows for ``exc``: what happened, then what to do about it.

    The core's errors carry data (``core/errors.py``); this and ``gui/messages.py`` are the only
    places that word them. A field error names its profile here (its message does not), and
    every name in a command line is quoted as a shell needs (``shell_arg``).
    """
    text = exc.message
    if isinstance(exc, ProviderRejected) and exc.sub_status:
        text = f"{text} (sub_status {exc.sub_status})"  # TIDAL's finer code, for its support pages
    if exc.field is not None and exc.profile is not None:
        text = f"profile {shown(exc.profile)}: {text}"
    advice = [_action_words(action, exc) for action in exc.actions]
    if advice:
        text = f"{text}; {', or '.join(advice)}"
    return text


def _action_words(action: Action, exc: MusicAuthError) -> str:
    """``action`` as the command line says it, for the profile or key ``exc`` is about."""
    profile = shell_arg(exc.profile) if exc.profile is not None else "NAME"
    key = shell_arg(exc.key_name) if exc.key_name is not None else "NAME"
    match action:
        case Action.SIGN_IN:
            return f"run `musicauth login {profile}`" if exc.profile is not None else "sign in again"
        case Action.GET_TOKEN:
            return f"run `musicauth token {profile}`"
        case Action.EDIT_FIELD if exc.field is not None:
            return f"set {exc.field} in the profiles file and import it again"
        case Action.EDIT_FIELD:
            return "correct the profile in the profiles file and import it again"
        case Action.ADD_PROFILE:
            return "`musicauth profile list` shows the profiles, `musicauth profile import FILE` adds one"
        case Action.CHOOSE_ANOTHER_NAME:
            return "choose another name"
        case Action.DELETE_EXISTING:
            return f"delete it first (`musicauth key delete {key}`)"
        case Action.REMOVE_ENTRY if exc.key_name is not None:
            # --force: profiles may still name the key.
            return f"run `musicauth key delete {key} --force`, then generate or import it again"
        case Action.REMOVE_ENTRY:
            return f"run `musicauth profile remove {profile}`, then import it again"
        case Action.REPAIR_STORE:
            return "run `musicauth store repair`"
        case Action.DELETE_ANYWAY:
            return "add --force to delete it anyway"
        case Action.UNLOCK_KEYRING:
            return "unlock it (e.g. log in to gnome-keyring or KeePassXC) and try again"
        case Action.SET_UP_KEYRING:
            return (
                "start or unlock a Secret Service such as gnome-keyring or KeePassXC, "
                "or choose a backend with PYTHON_KEYRING_BACKEND"
            )
        case Action.USE_FILE_VAULT:
            return "set MUSICAUTH_STORE=file to keep everything in a passphrase-encrypted file instead"
        case Action.GIVE_VAULT_PASSPHRASE:
            return "set MUSICAUTH_PASSPHRASE or MUSICAUTH_PASSPHRASE_FILE, or run the command on a terminal to be asked"
        case Action.RESTORE_VAULT_FILE:
            return "put back a good copy of it (a backup); musicauth will not write to it until it can be read"
        case Action.CLOSE_OTHER_PROCESS:
            return "close it (or remove its lock file), then try again"
        case Action.CHECK_NETWORK:
            return "check the endpoint and your connection, then try again"
        case Action.CHECK_ENDPOINT:
            return "check that the endpoint URL is the provider's API endpoint"
        case Action.RETRY:
            return "try again later"
        case Action.CHOOSE_ANOTHER_PORT:
            return "close whatever listens there (another sign-in?) or pin a different redirect_uri registered with the provider"
        case Action.GIVE_PASSPHRASE:
            return "use --passphrase-file FILE or MUSICAUTH_KEY_PASSPHRASE"
        case Action.CHOOSE_KEY_FILE:
            return (
                "use the output of `openssl ecparam -name prime256v1 -genkey` or the .p8 file your provider gave you, "
                f"or `musicauth key generate {key}`"
            )
        case Action.ADD_KEY:
            return f"`musicauth key list` shows the keys, `musicauth key generate {key}` or `musicauth key import {key} FILE` adds one"
        case Action.CHOOSE_ANOTHER_FILE:
            return "pass a regular file, or - for stdin"
        case Action.SET_VARIABLE:
            return "set it in musicauth's environment (in CI: from the job's secrets)"


# -- building the engine ----------------------------------------------------------------------


def _open_engine(args: argparse.Namespace) -> TokenEngine:
    """The engine on the store the command and the environment choose: none at all for a
    keyless ``devtoken``; a store that lives as long as the command for MUSICAUTH_STORE=memory
    (CI); otherwise the keyring, or the encrypted vault file (MUSICAUTH_STORE=file), whose
    passphrase may be asked for on a terminal.

    Each is ``one_shot``: the process ends with the command, so its requests go through
    httpcore's synchronous stack on daemon threads, without anyio's import (benchmarks/README.md,
    "Start-up"), and a request left hanging by Ctrl-C or the deadline never holds the exit."""
    from .core.engine import TokenEngine

    args.profiles_to_load = None
    if args.command == "devtoken" and args.name is None:
        return TokenEngine.in_memory(one_shot=True)  # --key-file: no profile, no store, not even a keyring
    args.profiles_to_load = _memory_profiles()
    if args.profiles_to_load is not None:
        return TokenEngine.in_memory(one_shot=True)  # filled at the start of the command (_load_memory_profiles)
    return TokenEngine.from_environment(ask_passphrase=_ask_vault_passphrase, one_shot=True)


def _ask_vault_passphrase(new: bool, path: Path) -> str | None:
    """The vault file's passphrase from the terminal, never echoed; twice for a new vault.
    None where nobody can answer (no terminal): the core then says how else to give it."""
    if not sys.stdin.isatty():
        return None
    import getpass

    from .core.errors import ConfigError

    if not new:
        return getpass.getpass(f"Passphrase of the vault file {path}: ")
    _eprint(f"musicauth: making a new vault file, {path}")
    first = getpass.getpass("Choose its passphrase: ")
    if getpass.getpass("Again: ") != first:
        raise ConfigError("the passphrases differ; no vault file was made")
    return first


def _memory_profiles() -> str | None:
    """The profiles file to load into a store that lives as long as this command
    (``MUSICAUTH_STORE=memory``, for CI: nothing is kept), or None for a lasting store.

    Raises:
        ConfigError: one variable without the other.
    """
    from .core.errors import ConfigError

    path = os.environ.get("MUSICAUTH_PROFILES")
    if os.environ.get("MUSICAUTH_STORE") == "memory":
        if not path:
            raise ConfigError("MUSICAUTH_STORE=memory needs MUSICAUTH_PROFILES=FILE, the profiles file to load at each start")
        return path
    if path:
        raise ConfigError(
            "MUSICAUTH_PROFILES is read only with MUSICAUTH_STORE=memory (profiles that live as long as the command); "
            "to keep them in a store, use `musicauth profile import FILE`"
        )
    return None


async def _load_memory_profiles(engine: TokenEngine, args: argparse.Namespace) -> None:
    """Fill the command's in-memory store from ``MUSICAUTH_PROFILES`` (with MUSICAUTH_STORE=memory)."""
    from .core.profiles_file import read_profiles_file

    if args.profiles_to_load is not None:
        await engine.import_profiles(read_profiles_file(args.profiles_to_load))


# -- commands ---------------------------------------------------------------------------------


async def cmd_profile_import(engine: TokenEngine, args: argparse.Namespace) -> int:
    from .core.profiles_file import read_profiles_file

    names = await engine.import_profiles(read_profiles_file(args.file))
    for name in names:
        print(name)
    return 0


async def cmd_profile_list(engine: TokenEngine, args: argparse.Namespace) -> int:
    listing = await engine.scan()
    now = engine.clock.now()
    rows = [_describe(record, now, engine.state(record)) for record in listing.records]
    # Damaged entries are listed after the readable ones, each with its reason; the rest of the
    # listing works as before.
    rows += [_describe_damaged(entry) for entry in listing.damaged]
    for entry in listing.damaged:
        _eprint(f"musicauth: {_damage_line(entry)}")
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    if not rows:
        _eprint("no profiles yet; add some with `musicauth profile import FILE`")
        return 0
    headers = ("NAME", "PROVIDER", "FLOW", "TOKEN", "EXPIRES")
    table = [headers] + [
        (r["name"], r["provider"] or "-", r["flow"] or "-", r["token_state"], _expiry_cell(r)) for r in rows
    ]
    widths = [max(len(str(row[i])) for row in table) for i in range(len(headers))]
    for row in table:
        print("  ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    return 0


#: ``token_state`` of ``profile list``: the words scripts read since before the state model
#: (core/state.py), kept as they were; the kind itself is the newer ``state`` key. A CLI run has
#: no scheduler and no sign-in under way, so the running kinds only ever show in the desktop app.
TOKEN_STATE_WORDS = {
    "valid": "valid",
    "static": "valid",
    "expiring": "renew due",
    "renewing": "renew due",
    "retrying": "renew due",
    "error": "renew due",
    "expired": "expired",
    "no_token": "none",
    "needs_sign_in": "needs sign-in",
    "signing_in": "needs sign-in",
    "damaged": "damaged",
}


def _token_state(record: ProfileRecord, state: ProfileState) -> str:
    if state.kind.value == "needs_sign_in" and record.token is None and not record.status.needs_sign_in:
        return "none"  # never signed in: "none" before the state model, and still for scripts
    return TOKEN_STATE_WORDS[state.kind.value]


def _describe(record: ProfileRecord, now: float, state: ProfileState | None = None) -> dict[str, Any]:
    """A ``profile list`` row: the state's kind in the words scripts read (``token_state``) and
    as itself (``state``), with the details scripts already use."""
    from .core.state import profile_state

    if state is None:
        state = profile_state(record, now)
    token = record.token
    return {
        "name": record.name,
        "provider": record.profile.provider,
        "flow": record.profile.flow,
        "token_state": _token_state(record, state),
        "expires_at": _iso(token.expires_at) if token else None,
        "expires_in": _seconds_left(token, now),
        "refresh_expires_at": _iso(token.refresh_expires_at) if token else None,
        "account": token.account if token else None,  # Last.fm's session user; not a secret
        "reason": record.status.reason,
        "state": state.kind.value,
        "next_attempt_at": _iso(state.next_attempt_at),
        "obtained_at": _iso(state.obtained_at),
    }


def _expiry_cell(row: dict[str, Any]) -> str:
    """The EXPIRES column: the expiry; for a token that has none and cannot be renewed (an Apple
    Music user token), when it was obtained, since its age is all there is to judge it by."""
    if row["expires_at"]:
        return str(row["expires_at"])
    if row.get("obtained_at"):
        return f"unknown; obtained {row['obtained_at']}"
    return "-"


def _describe_damaged(entry: DamagedEntry) -> dict[str, Any]:
    """A ``profile list`` row for an entry that cannot be read: the same keys as a readable
    row, so that scripts reading ``--json`` need no second shape."""
    return {
        "name": entry.name,
        "provider": None,
        "flow": None,
        "token_state": "damaged",
        "expires_at": None,
        "expires_in": None,
        "refresh_expires_at": None,
        "account": None,
        "reason": entry.reason,
        "state": "damaged",
        "next_attempt_at": None,
        "obtained_at": None,
    }


def _damage_line(entry: DamagedEntry) -> str:
    """One line naming a damaged entry, why, and the command that repairs it."""
    return error_line(entry.error())


async def cmd_profile_export(engine: TokenEngine, args: argparse.Namespace) -> int:
    """Export what can be read; a profile that cannot be is named on stderr and left out.

    Exit 1 if a profile named on the command line was left out; exporting everything exits 0
    with the damaged ones named (the export holds every readable profile).
    """
    from .core.profiles_file import export_profiles

    if args.names:
        records, left_out = [], []
        for name in dict.fromkeys(args.names):
            try:
                records.append(await engine.load(name, fresh=True))
            except MusicAuthError as exc:  # not found, damaged: the others are still exported
                left_out.append(exc)
        sys.stdout.write(export_profiles(records))
        for error in left_out:
            _eprint(f"musicauth: not exported: {error_line(error)}")
        return EXIT_ERROR if left_out else 0
    listing = await engine.scan()
    sys.stdout.write(export_profiles(listing.records))
    for entry in listing.damaged:
        _eprint(f"musicauth: not exported: {_damage_line(entry)}")
    return 0


async def cmd_profile_remove(engine: TokenEngine, args: argparse.Namespace) -> int:
    await engine.remove_profile(args.name)
    _eprint(f"removed profile {shown(args.name)} with its secrets and tokens")
    return 0


async def cmd_login(engine: TokenEngine, args: argparse.Namespace) -> int:
    device_shown = False

    def show_device_code(code: DeviceCode) -> None:
        nonlocal device_shown
        device_shown = True
        left = max(0, round(code.expires_at - engine.clock.now()))
        lines = [
            f"To sign in, open {code.verification_uri} on any device and enter the code:",
            "",
            f"    {code.user_code}",
            "",
        ]
        if code.verification_uri_complete:
            lines.append(f"(or open {code.verification_uri_complete}, which has the code filled in)")
        lines.append(f"The code expires in {left // 60} min {left % 60:02d} s. Waiting for approval (Ctrl-C to cancel)...")
        _eprint("\n".join(lines))

    def open_browser(url: str) -> None:
        if device_shown:  # the device flow's complete URI: already printed above
            if not args.no_browser:
                _open_url_in_background(url)
            return
        if args.no_browser:
            _eprint(f"Open this URL in a browser to sign in:\n{url}")
            return
        _eprint("Opening the browser to sign in; if it does not open, visit:\n" + url)
        _open_url_in_background(url)

    if (await engine.load(args.name, fresh=True)).profile.flow != "device":
        _eprint("Waiting for the browser (Ctrl-C to cancel)...")
    # Ctrl-C cancels this wait, and the sign-in with it (nothing stored).
    handle = engine.sign_in(args.name, open_browser=open_browser, timeout=args.timeout, on_device_code=show_device_code)
    token = await handle.result()
    expiry = f", expires {_iso(token.expires_at)}" if token.expires_at else ""
    account = f" as {token.account}" if token.account else ""  # Last.fm names the session's user
    _eprint(f"signed in to {shown(args.name)}{account}{expiry}")
    return 0


def _open_url_in_background(url: str) -> None:
    """The browser opened on a daemon thread: some $BROWSER commands only return when the
    browser window closes, and neither the listener nor the exit of this process may wait for that."""
    import threading  # here: the lean `musicauth token` imports no threading

    threading.Thread(target=_open_url, args=(url,), daemon=True, name="browser").start()


def _open_url(url: str) -> None:
    import webbrowser

    try:
        ok = webbrowser.open(url)
    except Exception:  # noqa: BLE001 - a broken $BROWSER must not end the flow
        ok = False
    if not ok:
        _eprint("could not start a browser; open the URL above by hand")


async def cmd_token(engine: TokenEngine, args: argparse.Namespace) -> int:
    issued = await engine.credential(args.name, args.scheme)
    print(format_token(issued.record, issued.token, args.format, now=engine.clock.now(), scheme=args.scheme, cred=issued.credential))
    return 0


async def cmd_exec(engine: TokenEngine, args: argparse.Namespace) -> int:
    """Fetch (renewing first) each profile's credential and put the command's environment
    together; ``main`` runs the command once the engine is closed (child_process.py)."""
    from .core.child_env import child_environment

    issued = {name: (await engine.credential(name)).credential for name in args.names}
    args.child_env = child_environment(os.environ, issued)
    return 0


async def cmd_refresh(engine: TokenEngine, args: argparse.Namespace) -> int:
    token = await engine.refresh(args.name)
    expiry = f"; expires {_iso(token.expires_at)}" if token.expires_at else ""
    _eprint(f"renewed {shown(args.name)}{expiry}")
    return 0


async def cmd_introspect(engine: TokenEngine, args: argparse.Namespace) -> int:
    answer = await engine.introspect(args.name)
    print(json.dumps(answer, indent=2, sort_keys=True))
    return 0


async def cmd_logout(engine: TokenEngine, args: argparse.Namespace) -> int:
    result = await engine.sign_out(args.name)
    if result.revocation_error is not None:
        _eprint(
            f"warning: the provider did not confirm the revocation ({result.revocation_error.message}); "
            "the tokens were deleted here anyway"
        )
    if result.still_valid_at:
        where = result.still_valid_at
        _eprint(
            f"warning: {where} has no way to revoke a token from here: it was forgotten on this computer, and stays "
            f"valid at {where} until the app's access is removed in the account's settings there"
        )
    _eprint(f"signed out of {shown(args.name)}" + ("; tokens revoked at the provider" if result.revoked else ""))
    if result.logout_url:
        if args.no_browser:
            _eprint(f"To end the browser session too, open:\n{result.logout_url}")
        else:
            _open_url_in_background(result.logout_url)
    return 0


async def cmd_discover(engine: TokenEngine, args: argparse.Namespace) -> int:
    metadata = await engine.discover(args.issuer, refresh=True)
    print(json.dumps(metadata.document, indent=2, sort_keys=True))
    return 0


async def cmd_try(engine: TokenEngine, args: argparse.Namespace) -> int:
    result = await engine.try_profile(args.name, scheme=args.scheme)
    print(f"{result.status} {result.target}: {result.summary}")
    return 0 if result.ok else EXIT_PROVIDER


async def cmd_key_generate(engine: TokenEngine, args: argparse.Namespace) -> int:
    info = await engine.key_ring.generate(args.name)
    _eprint(f"generated P-256 key {args.name!r} ({info.fingerprint}); paste this public key into the dashboard:")
    sys.stdout.write(info.public_pem)
    return 0


async def cmd_key_import(engine: TokenEngine, args: argparse.Namespace) -> int:
    from .core.keys import PassphraseRequired

    data = _read_input_file(args.file, "key file")
    passphrase = _passphrase_from(args)
    try:
        info = await engine.key_ring.import_key(args.name, data, passphrase)
    except PassphraseRequired:
        if passphrase is not None or not sys.stdin.isatty():
            raise
        import getpass

        info = await engine.key_ring.import_key(args.name, data, getpass.getpass("Passphrase for the key: ").encode())
    _eprint(f"imported key {args.name!r} ({info.fingerprint})")
    return 0


def _read_input_file(path: str, what: str = "file") -> bytes:
    """A file the user named (``-``: stdin), bounded in size and in waiting (core/input_file.py)."""
    from .core.input_file import read_input

    return read_input(path, what=what)


def _passphrase_from(args: argparse.Namespace) -> bytes | None:
    if getattr(args, "passphrase_file", None):
        return _read_input_file(args.passphrase_file, "passphrase file").rstrip(b"\r\n")
    env = os.environ.get("MUSICAUTH_KEY_PASSPHRASE")
    return env.encode() if env else None


async def cmd_key_public(engine: TokenEngine, args: argparse.Namespace) -> int:
    from .core.keys import jwk_thumbprint

    if args.jwk:
        jwk = await engine.key_ring.public_jwk(args.name, kid=args.kid)
        print(json.dumps({**jwk, "thumbprint": jwk_thumbprint(jwk)}, indent=2))
        return 0
    sys.stdout.write(await engine.key_ring.public_pem(args.name))
    return 0


async def cmd_key_export(engine: TokenEngine, args: argparse.Namespace) -> int:
    from .core.errors import ConfigError

    passphrase = _passphrase_from(args)
    if passphrase is None:
        if not sys.stdin.isatty():
            raise ConfigError("exporting a private key needs a passphrase", actions=(Action.GIVE_PASSPHRASE,))
        import getpass

        passphrase = getpass.getpass("Passphrase to encrypt the export: ").encode()
        if getpass.getpass("Again: ").encode() != passphrase:
            raise ConfigError("the passphrases differ; nothing exported")
    sys.stdout.write(await engine.key_ring.export_private(args.name, passphrase))
    return 0


async def cmd_key_list(engine: TokenEngine, args: argparse.Namespace) -> int:
    listing = await engine.key_ring.scan()
    rows: list[dict[str, Any]] = [
        {"name": k.name, "fingerprint": k.fingerprint, "created": _iso(k.created_at), "source": k.source, "used_by": list(k.used_by)}
        for k in listing.keys
    ]
    # A damaged or missing key keeps its place in the listing, with the reason instead of a
    # fingerprint; the usable keys are listed as before.
    damaged = [{"name": d.name, "state": "damaged", "reason": d.reason} for d in listing.damaged]
    for entry in listing.damaged:
        _eprint(f"musicauth: {_damage_line(entry)}")
    if args.json:
        print(json.dumps(rows + damaged, indent=2))
    elif not rows and not damaged:
        _eprint("no keys yet; `musicauth key generate NAME` or `musicauth key import NAME FILE`")
    else:
        for r in rows:
            print(f"{r['name']}  {r['fingerprint']}  {r['created']}  {r['source']}  used by: {', '.join(r['used_by']) or '-'}")
        for d in damaged:
            print(f"{d['name']}  damaged: {d['reason']}")
    return 0


async def cmd_key_delete(engine: TokenEngine, args: argparse.Namespace) -> int:
    broken = await engine.key_ring.delete(args.name, force=args.force)
    _eprint(f"deleted key {args.name!r}" + (f"; profiles now without a key: {', '.join(broken)}" if broken else ""))
    return 0


async def cmd_store_repair(engine: TokenEngine, args: argparse.Namespace) -> int:
    """Rewrite the index to match the keyring, and say exactly what was done and what is left."""
    report = await engine.repair_store(args.names)
    if report.index_problem:
        done = "rebuilt it from the names that could still be found" if report.profiles or report.keys else (
            "reset it to empty: none of its names could be found"
        )
        _eprint(f"{report.index_problem}: {done}")
    for kind, name in report.dropped:
        _eprint(f"dropped {kind} {name!r} from the index: its keyring entry is gone")
    for kind, name in report.found:
        _eprint(f"listed {kind} {name!r} again: its keyring entry is there")
    for entry in report.damaged:
        _eprint(f"still damaged: {_damage_line(entry)}")
    _eprint(
        f"the index lists {len(report.profiles)} profile(s) and {len(report.keys)} key(s)"
        + ("" if report.rewritten else "; it was sound, nothing was changed")
    )
    if report.index_problem:
        # The keyring cannot be listed: what the damaged index no longer named cannot be found.
        _eprint(
            "profiles or keys not listed above could not be found (a keyring cannot be searched): "
            "import your profiles files again (a profile still in the keyring keeps its tokens), "
            "or name them: `musicauth store repair NAME...`"
        )
    return 0


async def cmd_store_migrate(engine: TokenEngine, args: argparse.Namespace) -> int:
    """Move everything to the chosen store, and say what moved and how to use it from now on."""
    report = await engine.migrate_store(args.to, ask_passphrase=_ask_vault_passphrase)
    for kind, name in report.missing:
        _eprint(f"dropped {kind} {shown(name)}: {report.source}'s index named it, but neither store holds it")
    _eprint(
        f"moved {len(report.profiles)} profile(s) and {len(report.keys)} key(s) from {report.source} to {report.destination}"
        + (f"; it already held {len(report.kept)} of its own" if report.kept else "")
    )
    if engine.store_kind != args.to:
        switch = "set MUSICAUTH_STORE=file" if args.to == "file" else "unset MUSICAUTH_STORE (or set it to keyring)"
        _eprint(f"{switch} to use them from now on")
    return 0


async def cmd_devtoken(engine: TokenEngine, args: argparse.Namespace) -> int:
    sign = _key_signer(engine, args) if args.name is None else _profile_signer(engine, args)
    if args.sub_file:
        subjects = [line.strip() for line in _read_input_file(args.sub_file, "subjects file").decode("utf-8", "replace").splitlines()]
        for sub in (s for s in subjects if s and not s.startswith("#")):
            jwt, exp = await sign(sub)
            print(json.dumps({"sub": sub, "token": jwt, "exp": exp}))
        return 0
    jwt, _ = await sign(args.sub)
    print(jwt)
    return 0


DevTokenSigning = Callable[[str | None], Coroutine[Any, Any, tuple[str, int]]]


def _profile_signer(engine: TokenEngine, args: argparse.Namespace) -> DevTokenSigning:
    """Signs with the profile's key, issuer and lifetime (``devtoken NAME``)."""

    async def sign(sub: str | None) -> tuple[str, int]:
        token = await engine.sign_devtoken(args.name, sub=sub, ttl=args.ttl)
        assert token.expires_at is not None  # a DevToken always has its exp
        return token.access_token.reveal(), int(token.expires_at)

    return sign


def _key_signer(engine: TokenEngine, args: argparse.Namespace) -> DevTokenSigning:
    """Signs with the key of ``--key-file`` or ``--key-env`` and the given kid and iss: no
    profile, no store (``devtoken --key-file FILE --kid KID --iss ISS``)."""
    from .core.devtoken import parse_ttl
    from .core.env_secret import MissingVariable

    if args.key_env is not None:
        pem = os.environ.get(args.key_env)
        if not pem:
            raise MissingVariable(args.key_env)
        data = pem.encode()
    else:
        data = _read_input_file(args.key_file, "key file")
    signer = engine.key_ring.signer_for(data, kid=args.kid, passphrase=_passphrase_from(args))
    ttl = parse_ttl(args.ttl)

    async def sign(sub: str | None) -> tuple[str, int]:
        now = int(engine.clock.now())
        return signer.sign(iss=args.iss, sub=sub, ttl=ttl, now=now), now + ttl

    return sign


# -- output -----------------------------------------------------------------------------------


def _iso(epoch: float | None) -> str | None:
    """ISO 8601 in UTC, or None for an unknown time (also one no datetime can hold: NaN, inf)."""
    from .core.expiry import usable_epoch

    usable = usable_epoch(epoch)
    if usable is None:
        return None
    # Imported here: `token --format header` (or raw, curl) prints no time, and on the Secret
    # Service nothing else on its way imports datetime (~0.8 ms).
    from datetime import UTC, datetime

    return datetime.fromtimestamp(usable, tz=UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _seconds_left(token: TokenSet | None, now: float) -> int | None:
    """Whole seconds until ``token`` expires (negative once expired), or None when unknown."""
    from .core.expiry import usable_seconds

    left = usable_seconds(token.expires_in(now)) if token is not None else None
    return None if left is None else int(left)


def format_token(
    record: ProfileRecord,
    token: TokenSet | None,
    fmt: str,
    *,
    now: float,
    scheme: str | None = None,
    cred: Credential | None = None,
) -> str:
    """The credential (``cred``, else the one ``record`` and ``token`` make) in one of the
    contract's output shapes."""
    from .core.usage import credential, curl_line, try_url

    cred = cred or credential(record, token, scheme)
    if fmt == "raw":
        return cred.value.reveal()
    if fmt == "header":
        return cred.header_line()
    if fmt == "json":
        data: dict[str, Any] = {
            "access_token": cred.value.reveal(),
            "token_type": token.token_type if token else cred.scheme,
            "expires_in": _seconds_left(token, now),
            "expires_at": _iso(token.expires_at) if token else None,
            "issued_at": _iso(token.issued_at) if token else None,
            "scope": token.scope if token else None,
            "authorization_header": cred.header_value() if cred.query_param is None else None,
        }
        if token and _iso(token.refresh_expires_at):
            data["refresh_token_expires_at"] = _iso(token.refresh_expires_at)
        if cred.companions:  # Apple Music: the developer token's Authorization beside the user token
            data["headers"] = dict(line.split(": ", 1) for line in cred.header_lines())
            data["authorization_header"] = data["headers"].get("Authorization")
        return json.dumps(data, indent=2)
    return curl_line(cred, try_url(record))


# -- the parser -------------------------------------------------------------------------------


def build_parser(only: str | None = None, *, parser_class: type[argparse.ArgumentParser] | None = None) -> argparse.ArgumentParser:
    """The whole command line; with ``only``, the global options and that one command alone.

    Building every command's parser costs 3-4 ms, a twentieth of `musicauth token` with a valid
    token: ``_parse`` first tries the one command named on the line (``only``), and any error
    or help goes to the whole parser, so that the messages stay those of the whole parser.
    """

    import argparse

    def wanted(name: str) -> bool:
        return only is None or only == name

    parser = (parser_class or argparse.ArgumentParser)(
        prog="musicauth",
        description="Tokens for music APIs, kept in the OS keyring and renewed before they expire.",
        epilog="Profiles and tokens live in the OS keyring; the desktop app (musicauth-gui) shares them.",
    )
    parser.add_argument("--version", action="version", version=f"musicauth {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log HTTP and keyring steps (secrets masked)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    if wanted("profile"):
        profile = sub.add_parser("profile", help="import, list, export or remove profiles")
        psub = profile.add_subparsers(dest="profile_command", metavar="ACTION", required=True)
        p = psub.add_parser("import", help="add or update profiles from a TOML file; secrets go to the keyring")
        p.add_argument("file", help="the profiles file (at most 1 MB), or - for stdin")
        p.set_defaults(func=cmd_profile_import)
        p = psub.add_parser("list", help="name, provider, flow, token state, expiry")
        p.add_argument("--json", action="store_true", help="machine-readable output")
        p.set_defaults(func=cmd_profile_list)
        p = psub.add_parser("export", help="print profiles as TOML, without secrets")
        p.add_argument("names", nargs="*", metavar="NAME", help="profiles to export (default: all)")
        p.set_defaults(func=cmd_profile_export)
        p = psub.add_parser("remove", help="delete a profile with its secrets and tokens")
        p.add_argument("name")
        p.set_defaults(func=cmd_profile_remove)

    if wanted("login"):
        p = sub.add_parser(
            "login", help="sign in through the browser (code flow, PKCE, loopback redirect) or with a user code (device flow)"
        )
        p.add_argument("name")
        p.add_argument("--no-browser", action="store_true", help="print the sign-in URL on stderr instead of opening it")
        p.add_argument(
            "--timeout",
            type=float,
            default=300.0,
            help="seconds to wait for the browser (default 300); a device sign-in waits until its code expires",
        )
        p.set_defaults(func=cmd_login)

    if wanted("token"):
        p = sub.add_parser("token", help="print a valid access token, renewed first when near expiry")
        p.add_argument("name")
        p.add_argument("--format", choices=FORMATS, default="raw", help="raw (default), header, json or curl")
        p.add_argument("--scheme", choices=SCHEMES, help="MusicAPI: Token, Basic or DevToken (default)")
        p.set_defaults(func=cmd_token)

    if wanted("exec"):
        p = sub.add_parser(
            "exec",
            help="run a command with fresh credentials in its environment: exec NAME [NAME ...] -- COMMAND ARGS...",
            usage="musicauth exec [-h] NAME [NAME ...] -- COMMAND [ARGS ...]",
            description="Renew each profile's token if due, then run COMMAND in place of musicauth with "
            "MUSICAUTH_TOKEN and MUSICAUTH_AUTHORIZATION (one profile) or MUSICAUTH_<NAME>_TOKEN and "
            "MUSICAUTH_<NAME>_AUTHORIZATION (several) in its environment. Its exit status and the signals "
            "sent to it are its own; nothing is written anywhere.",
        )
        p.add_argument("names", nargs="+", metavar="NAME", help="the profiles whose credentials the command gets")
        p.set_defaults(func=cmd_exec)

    if wanted("refresh"):
        p = sub.add_parser("refresh", help="renew the token now")
        p.add_argument("name")
        p.set_defaults(func=cmd_refresh)

    if wanted("introspect"):
        p = sub.add_parser("introspect", help="the provider's introspection answer, as JSON")
        p.add_argument("name")
        p.set_defaults(func=cmd_introspect)

    if wanted("logout"):
        p = sub.add_parser("logout", help="sign out: revoke where possible, delete the tokens, end the browser session")
        p.add_argument("name")
        p.add_argument("--no-browser", action="store_true", help="print the provider's logout URL instead of opening it")
        p.set_defaults(func=cmd_logout)

    if wanted("try"):
        p = sub.add_parser("try", help="one harmless authenticated request to the provider; prints status and a summary")
        p.add_argument("name")
        p.add_argument("--scheme", choices=SCHEMES, help="MusicAPI: which Authorization scheme to try")
        p.set_defaults(func=cmd_try)

    if wanted("key"):
        key = sub.add_parser("key", help="EC P-256 keys for DevTokens: generate, import, public, list, delete, export")
        ksub = key.add_subparsers(dest="key_command", metavar="ACTION", required=True)
        p = ksub.add_parser("generate", help="a new P-256 keypair into the keyring; prints the public PEM")
        p.add_argument("name")
        p.set_defaults(func=cmd_key_generate)
        p = ksub.add_parser("import", help="a PEM/DER private key (SEC1 or PKCS#8, encrypted too; Apple .p8)")
        p.add_argument("name")
        p.add_argument("file", help="the key file (at most 1 MB), or - for stdin")
        p.add_argument("--passphrase-file", help="read the passphrase of an encrypted key from FILE (or set MUSICAUTH_KEY_PASSPHRASE)")
        p.set_defaults(func=cmd_key_import)
        p = ksub.add_parser("public", help="the public key: SubjectPublicKeyInfo PEM, or --jwk")
        p.add_argument("name")
        p.add_argument("--jwk", action="store_true", help="a JWK with its RFC 7638 thumbprint")
        p.add_argument("--kid", help="a kid to put in the JWK")
        p.set_defaults(func=cmd_key_public)
        p = ksub.add_parser("list", help="name, fingerprint, created, source, profiles using it")
        p.add_argument("--json", action="store_true")
        p.set_defaults(func=cmd_key_list)
        p = ksub.add_parser("delete", help="delete a key (--force when profiles still use it)")
        p.add_argument("name")
        p.add_argument("--force", action="store_true")
        p.set_defaults(func=cmd_key_delete)
        p = ksub.add_parser("export", help="the private key as encrypted PKCS#8 (asks for a passphrase)")
        p.add_argument("name")
        p.add_argument("--passphrase-file", help="read the export passphrase from FILE (or set MUSICAUTH_KEY_PASSPHRASE)")
        p.set_defaults(func=cmd_key_export)

    if wanted("store"):
        store = sub.add_parser("store", help="look after the store itself: repair its index, migrate it")
        ssub = store.add_subparsers(dest="store_command", metavar="ACTION", required=True)
        p = ssub.add_parser(
            "repair",
            help="rewrite the index to match the keyring: drop names whose entries are gone, rebuild a damaged one",
            description="Rewrite the store's index (the list of profile and key names) to match the keyring. "
            "Names whose entries are gone are dropped; an index that cannot be read is rebuilt from the names "
            "still legible in it, the keys the found profiles name, and the NAMEs given. Damaged entries are "
            "kept and named with the command that removes them. Says on stderr what it did.",
        )
        p.add_argument("names", nargs="*", metavar="NAME", help="more profile or key names to look for in the keyring")
        p.set_defaults(func=cmd_store_repair)
        p = ssub.add_parser(
            "migrate",
            help="move every profile, token and key to the keyring or to the encrypted vault file",
            description="Move every profile, token and key from the other store to the one named by --to: "
            "copy everything, read it back, and only then delete it from the source (a failure loses "
            "nothing, and running it again finishes the job). The vault file is MUSICAUTH_STORE_FILE "
            "(default: vault in the data folder); its passphrase comes from MUSICAUTH_PASSPHRASE, "
            "MUSICAUTH_PASSPHRASE_FILE or a prompt.",
        )
        p.add_argument("--to", required=True, choices=("file", "keyring"), help="the store to move everything to")
        p.set_defaults(func=cmd_store_migrate)

    if wanted("devtoken"):
        p = sub.add_parser(
            "devtoken",
            help="sign an ES256 DevToken for a profile, or from a key file with no store; the JWT alone on stdout",
            usage="musicauth devtoken [-h] (NAME | (--key-file FILE | --key-env VAR) --kid KID --iss ISS) "
            "[--sub ID | --sub-file FILE] [--ttl TTL]",
        )
        p.add_argument("name", nargs="?", metavar="NAME", help="the profile (its key, kid, issuer and lifetime)")
        keys = p.add_mutually_exclusive_group()
        keys.add_argument("--key-file", metavar="FILE", help="sign with this P-256 key (PEM or DER; - for stdin) instead of a profile")
        keys.add_argument("--key-env", metavar="VAR", help="sign with the PEM key held by environment variable VAR instead of a profile")
        p.add_argument("--kid", help="with --key-file/--key-env: the Key ID for the JWT header")
        p.add_argument("--iss", help="with --key-file/--key-env: the issuer (MusicAPI: the client id; Apple: the Team ID)")
        p.add_argument("--sub", help="the subject (MusicAPI: the integration user's UUID)")
        p.add_argument("--sub-file", help="one subject per line: one token each, as JSON lines")
        p.add_argument("--ttl", help="lifetime: Nd, Nh, Nm or Ns (default: the profile's, else 14d)")
        p.set_defaults(func=cmd_devtoken)

    if wanted("discover"):
        p = sub.add_parser("discover", help="fetch an issuer's OAuth/OpenID metadata")
        p.add_argument("issuer")
        p.set_defaults(func=cmd_discover)
    return parser


def _configure_logging(verbose: bool) -> None:
    """Log lines as ``musicauth: LEVEL: message``, scrubbed; again is a no-op (the first stands)."""
    import logging

    from .core.secret import install_log_scrubber

    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="musicauth: %(levelname)s: %(message)s",
    )
    install_log_scrubber()


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    token_words = _token_words(words)
    if token_words is not None:
        # Logging is configured by the lean path where keyring is first needed (_lean_token).
        code = _exit_code(token_words, lambda: _lean_token(token_words))
        if code is not None:
            return code
    args = _refresh_words(words) or _parse_quickly(words) or _parse(build_parser(), words)
    _configure_logging(args.verbose)
    if token_words is None and args.command == "token":
        code = _exit_code(args, lambda: _lean_token(args))
        if code is not None:
            return code
    from .interrupts import Terminated, terminating_signals_interrupt

    # SIGTERM and SIGHUP end the command the way Ctrl-C does (see interrupts.py): a token
    # being stored is stored, then the process exits with 128 + the signal number.
    with terminating_signals_interrupt() as interruptible:
        try:
            code = _run(args, interruptible)
            if code != 0 or args.command != "exec":
                return code
            # The engine is closed (its worker thread joined): hand over to the command.
            return _become_child(args.child, args.child_env)
        except Terminated as exc:
            what = "cancelled; nothing was stored" if args.command == "login" else "interrupted"
            _eprint(f"musicauth: {what} ({exc.signal_name})")
            return exc.exit_code


#: The commands whose start-up counts most (scripts run `token` in loops; benchmarks/README.md,
#: "Start-up"), parsed first by a parser that knows that command alone.
QUICK_COMMANDS = ("token", "login", "refresh")
#: What the lean ``token`` path defers before it imports anything (``_lean_token`` says why);
#: the benchmark's floor under that path defers the same (``benchmarks/cli_paths.py``).
LEAN_TOKEN_DEFERRED = ("inspect", "traceback")


class _Unsure(Exception):
    """The one-command parser met help, a version request or an error: the whole parser says it."""


@functools.cache
def _one_command_parser() -> type[argparse.ArgumentParser]:
    """A parser class that prints nothing and exits nowhere: whatever it would print, the whole
    parser prints instead (its subparsers are of this class too: argparse makes them of their
    parent's). Made when first used, since `token` with plain words never imports argparse."""
    import argparse

    class OneCommandParser(argparse.ArgumentParser):
        def _print_message(self, message: str, file: Any = None) -> None:
            raise _Unsure

        def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
            raise _Unsure

        def error(self, message: str) -> NoReturn:
            raise _Unsure

    return OneCommandParser


class TokenWords:
    """``token NAME [--format F] [--scheme S]`` as ``_token_words`` reads it: the attributes of
    argparse's namespace that the lean path reads, with the same values. A plain class: a
    NamedTuple's is compiled from source when made (~0.8 ms)."""

    command = "token"
    verbose = False

    def __init__(self, name: str, format: str, scheme: str | None) -> None:
        self.name = name
        self.format = format
        self.scheme = scheme


def _token_words(words: list[str]) -> TokenWords | None:
    """``musicauth token NAME`` with at most ``--format F`` and ``--scheme S`` (each once, either
    spelling: ``--format F`` or ``--format=F``, a valid choice), read without argparse; None for
    any other line, which argparse then reads.

    Scripts run `token` in loops: importing argparse and building even one command's parser cost
    ~4 ms (gettext's catalogue look-ups, shutil for the terminal's width), a tenth of the command
    on the Secret Service. Whatever this accepts, argparse reads the same way
    (``tests/core/test_cli_quick_parse.py``); anything it does not know (a global option, an
    abbreviation, ``--``, help, an error) goes to argparse, with its own messages.
    """
    if not words or words[0] != "token":
        return None
    name: str | None = None
    options: dict[str, str] = {}
    choices = {"--format": FORMATS, "--scheme": SCHEMES}
    rest = iter(words[1:])
    for word in rest:
        if not word.startswith("-"):
            if name is not None:
                return None  # argparse: unrecognized arguments
            name = word
            continue
        option, equals, value = word.partition("=")
        if option not in choices or option in options:
            return None
        if not equals:
            value = next(rest, "")
        if value not in choices[option]:
            return None
        options[option] = value
    if name is None:
        return None
    return TokenWords(name, options.get("--format", "raw"), options.get("--scheme"))


def _refresh_words(words: list[str]) -> argparse.Namespace | None:
    """``musicauth refresh NAME`` and nothing else, read without argparse into the namespace
    argparse would make; None for any other line, which argparse then reads.

    Importing argparse (with gettext) and building the one command's parser cost ~2 ms of a
    refresh's ~100 before its request. A NAME starting with ``-`` (an option, ``--``, help) is
    argparse's (``tests/core/test_cli_quick_parse.py`` holds the two to the same namespace).
    """
    if len(words) != 2 or words[0] != "refresh" or words[1].startswith("-"):
        return None
    from types import SimpleNamespace

    # argparse.Namespace is a bag of attributes, and nothing here asks more of it than that:
    # the commands read (and _open_engine sets) attributes only.
    plain = SimpleNamespace(verbose=False, command="refresh", name=words[1], func=cmd_refresh)
    return cast("argparse.Namespace", plain)


def _parse_quickly(words: list[str]) -> argparse.Namespace | None:
    """``words`` parsed by the parser of the one command they name, when it is one of
    ``QUICK_COMMANDS`` and parses cleanly; None otherwise (the whole parser then takes over,
    with its own help and errors). The same definitions (``build_parser``) make both parsers."""
    command = next((word for word in words if not word.startswith("-")), None)
    if command not in QUICK_COMMANDS:
        return None
    try:
        return build_parser(only=command, parser_class=_one_command_parser()).parse_args(words)
    except _Unsure:
        return None


def _parse(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    """``argv`` parsed; for ``exec``, what follows its ``--`` is the command, kept verbatim.

    argparse cannot split ``NAME [NAME ...] -- COMMAND ARGS`` itself (a ``+`` positional takes
    the words after ``--`` too), so the command is cut off first. Global options are the only
    words that may come before the subcommand, and each starts with ``-``.
    """
    first = next((i for i, word in enumerate(argv) if not word.startswith("-")), None)
    if first is None or argv[first] != "exec":
        args = parser.parse_args(argv)
        if args.command == "devtoken":
            _check_devtoken_args(parser, args)
        return args
    if "--" not in argv[first:]:
        parser.parse_known_args(argv)  # --help first, or a usage error about the names
        parser.error("exec: put -- between the profile names and the command (exec NAME -- COMMAND ARGS)")
    cut = argv.index("--", first)
    args = parser.parse_args(argv[:cut])
    args.child = argv[cut + 1 :]
    if not args.child:
        parser.error("exec: no command after --")
    from .core.child_env import variables_for
    from .core.errors import ConfigError

    try:
        variables_for(args.names)
    except ConfigError as exc:
        parser.error(f"exec: {exc.message}")
    return args


def _check_devtoken_args(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """A profile, or a key with its kid and issuer: never both, never neither (a usage error)."""
    key = args.key_file or args.key_env
    if args.name is not None and (key or args.kid or args.iss):
        parser.error("devtoken: give a profile NAME, or --key-file/--key-env with --kid and --iss, not both")
    if args.name is None and not key:
        parser.error("devtoken: give a profile NAME, or --key-file FILE (or --key-env VAR) with --kid and --iss")
    if key and not (args.kid and args.iss):
        parser.error("devtoken: --key-file and --key-env need --kid KID and --iss ISS")


def _become_child(argv: list[str], env: dict[str, str]) -> int:
    """Replace this process with the command; its exit status and signals are then its own.

    What cannot be started ends here as a shell would end it: 127 when there is no such command,
    126 when there is one that cannot be run.
    """
    from .child_process import become

    try:
        return become(argv, env)
    except FileNotFoundError:
        _eprint(f"musicauth: {shell_arg(argv[0])}: command not found")
        return EXIT_COMMAND_NOT_FOUND
    except OSError as exc:
        _eprint(f"musicauth: cannot run {shell_arg(argv[0])}: {exc.strerror or exc}")
        return EXIT_CANNOT_RUN


def _lean_token(args: argparse.Namespace | TokenWords) -> int | None:
    """``token`` when the keyring holds a token that needs no renewal: one keyring read, and
    none of the engine's imports (core/lean_token.py); None when the engine must do it.

    Not with ``--verbose`` (the engine's debug lines are what that asks for), nor with the
    command's own in-memory store. No signal handling is set up: nothing is written here, so a
    SIGTERM may end it on the spot.
    """
    if args.verbose or _memory_profiles() is not None:
        return None
    import gc

    from .core.stand_ins import defer

    # dataclasses (the records) imports inspect for one call on Python 3.11, for a class without a
    # docstring, which no record is (core/record.py). inspect with ast, dis and tokenize: ~4.8 ms
    # of a ~30 ms token. From 3.12 dataclasses reads inspect.get_annotations for every class, so
    # the stand-in is read at once there: nothing saved, nothing lost. logging, configured just
    # before keyring is needed (on a keyring other than the Secret Service), imports traceback
    # (with linecache and textwrap, ~1.5 ms) to format an exception, which a token logs none of.
    defer(*LEAN_TOKEN_DEFERRED)

    # The collector rests while keyring and the core are imported and the entry read, as in the
    # desktop app's start-up (gui/gc_policy.py): what they build lives to the end, and the ~40
    # passes over it freed a few hundred small objects (~1 ms). The engine's path collects as usual.
    collecting = gc.isenabled()
    gc.disable()
    try:
        code = _print_valid_token(args)
    finally:
        if collecting:
            _resume_collecting()
    if code is not None:
        _freeze_at_exit()
    return code


def _resume_collecting() -> None:
    """Let the collector run again without a pass over what the lean path built.

    The ~9,000 objects made while it rested are all in the youngest generation, so the first
    allocation after ``gc.enable()`` would walk them (0.7 ms of a ~27 ms token). ``freeze`` then
    ``unfreeze`` moves them to the oldest generation, where a full collection still looks at them
    as at any long-lived object; nothing stays frozen. Not where the caller froze objects of its
    own: ``unfreeze`` would let those go too.
    """
    import gc

    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()
    gc.enable()


def _freeze_at_exit() -> None:
    """Freeze the heap when the interpreter exits, after the atexit handlers registered later.

    Python's shutdown walks every object the process made in its collections while it tears
    the modules down (~7 ms for keyring's and the core's, of a ~60 ms command; ~12 ms with the
    engine's event loop and HTTP stack, of a ~120 ms `refresh`), to free memory the process is
    about to give back anyway. Frozen objects are never walked. Nothing left by then needs a
    finaliser: the lean path wrote no file and its keyring calls close what they open; the
    engine's commands call it once the engine is closed (its worker thread joined, so every
    write is done; its HTTP client closed; the event loop closed by ``asyncio.run``), and what
    the OS reclaims anyway (a lock file's flock, a request thread abandoned in a read) is all
    that is left. stdout is flushed by the shutdown as before, and logging's own atexit handler
    still runs. At exit, not now: a caller running ``main()`` in its own process (the tests)
    keeps collecting until it exits.
    """
    import atexit
    import gc

    atexit.unregister(gc.freeze)  # once per process, however many commands it ran
    atexit.register(gc.freeze)


def _print_valid_token(args: argparse.Namespace | TokenWords) -> int | None:
    """``_lean_token``'s work, with the collector resting."""
    from .core.clock import SYSTEM_CLOCK
    from .core.lean_token import valid_token_credential

    # Logging configured just before keyring (a library that logs) is first needed: where a
    # read goes to the Secret Service directly, no module that logs is imported at all (~3 ms;
    # benchmarks/README.md, "Start-up"). Already configured on argparse's way here: a no-op then.
    issued = valid_token_credential(args.name, args.scheme, before_keyring=lambda: _configure_logging(args.verbose))
    if issued is None:
        return None
    # The credential valid_token_credential made, as cmd_token passes the engine's: building it
    # again would sign a second OAuth 1.0a header (another nonce) and resolve secrets twice.
    cred = issued.credential
    print(format_token(issued.record, issued.token, args.format, now=SYSTEM_CLOCK.now(), scheme=args.scheme, cred=cred))
    return 0


def _run(args: argparse.Namespace, interruptible: Callable[..., Any]) -> int:
    import asyncio

    command: Callable[[TokenEngine, argparse.Namespace], Coroutine[Any, Any, int]] = args.func
    engine = None

    def work() -> int:
        nonlocal engine
        engine = _open_engine(args)

        async def run_command(engine: TokenEngine) -> int:
            await _load_memory_profiles(engine, args)
            return await command(engine, args)

        result: int = asyncio.run(interruptible(functools.partial(run_command, engine)))
        return result

    try:
        code = _exit_code(args, work)
        assert code is not None  # work() always gives one
        return code
    finally:
        if engine is not None:
            # Waits for the store's worker thread: a keyring write under way completes.
            engine.close()
            _freeze_at_exit()


def _exit_code(args: argparse.Namespace | TokenWords, work: Callable[[], int | None]) -> int | None:
    """What ``work()`` returns, or, for what it raised, the exit code after one line on stderr."""
    try:
        return work()
    except KeyboardInterrupt:
        _eprint("musicauth: cancelled; nothing was stored" if args.command == "login" else "musicauth: interrupted")
        return EXIT_CANCELLED
    except SignInCancelled as exc:
        _eprint(f"musicauth: {error_line(exc)}")
        return EXIT_CANCELLED
    except NeedsSignIn as exc:
        _eprint(f"musicauth: {error_line(exc)}")
        return EXIT_NEEDS_SIGN_IN
    except ProviderError as exc:
        _eprint(f"musicauth: {error_line(exc)}")
        return EXIT_PROVIDER
    except MusicAuthError as exc:
        _eprint(f"musicauth: {error_line(exc)}")
        return EXIT_ERROR
    except Exception as exc:  # the last line of defence: no traceback for users
        from .interrupts import Terminated  # here: a command that succeeds never needs it

        if isinstance(exc, Terminated) or os.environ.get("MUSICAUTH_DEBUG"):
            raise
        _eprint(
            f"musicauth: internal error ({type(exc).__name__}); please report it. "
            "Run again with MUSICAUTH_DEBUG=1 for details"
        )
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
