"""The vault file: every entry the keyring would hold, in one passphrase-encrypted file.

For machines without a keyring (a headless server, WSL, a container, CI), and only when the
user chooses it (``MUSICAUTH_STORE=file``, ``core/store/selection.py``): it is never a fallback.
It implements ``SecretVault``, so the profile store, the key store and every command work on it
as on the keyring.

The file, in three parts::

    musicauth-vault                                   the magic line
    {"check":"...","cipher":"AES-256-GCM","kdf":{"n":131072,"name":"scrypt","p":1,"r":8,
     "salt":"..."},"nonce":"...","sum":"...","v":1}   the header: one line of JSON
    ...                                               AES-256-GCM over {"entries": {...}}, to the end

- scrypt (RFC 7914) turns the passphrase and the salt into 64 bytes: the first 32 are the
  AES-256-GCM key, and a hash of the last 32 is the key check value (``check``). A passphrase
  whose check value differs is a wrong passphrase; one whose check value matches but whose
  decryption fails means a damaged or altered file. That is how the two are told apart.
- The parameters live in the header, so that they can grow with the machines: a file made
  with today's keeps opening, and a new file takes ``DEFAULT_KDF``.
- The magic line and the header are the AEAD's associated data: changing a parameter, the nonce
  or the check value fails the decryption.
- ``sum`` is a SHA-256 of the header without it. It tells a header damaged by accident (a
  flipped byte in the salt) from a wrong passphrase; a deliberate change that recomputes it is
  still caught by the key check or the AEAD.
- One salt per file, kept while the file lives: a write encrypts with the key derived when the
  vault was opened, under a fresh random 96-bit nonce (NIST SP 800-38D allows 2^32 of them per
  key; a credential store writes a few per token renewal).

The key lives in this object only (never the passphrase), for as long as the object lives.

Writes are atomic (a temporary file in the same folder, fsync, rename, fsync of the folder),
the file's mode is 0600, and each read-modify-write holds ``<file>.lock``: the CLI and the
desktop app may share the file, even from processes with different runtime folders (the store
lock of ``locks.py`` lives there). Each read looks at the file's inode, mtime and size, and
decrypts it again when another process has replaced it. A file that cannot be decrypted is
never written: every call raises the same ``VaultDamaged`` until the file is put right.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import secrets
import threading
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from filelock import FileLock

from ..errors import Action, StoreError, UnsupportedFeature, VaultDamaged, WrongVaultPassphrase
from ..record import frozen_record
from ..secret import Secret

MAGIC = b"musicauth-vault"
FORMAT_VERSION = 1
CIPHER = "AES-256-GCM"
SALT_BYTES = 16
NONCE_BYTES = 12  # GCM's natural nonce size (NIST SP 800-38D, 8.2.2: random 96-bit IVs)
CHECK_BYTES = 16
TAG_BYTES = 16
#: Seconds a write waits for another process's write before giving up (a write takes ms).
LOCK_TIMEOUT = 30.0


@frozen_record
class KdfParams:
    """scrypt's cost: ``n`` (CPU and memory, a power of two), ``r`` (block size), ``p``.

    Memory is 128 * r * n bytes: 128 MiB for the default.
    """

    n: int = 2**17
    r: int = 8
    p: int = 1

    def memory(self) -> int:
        return 128 * self.r * self.n


#: OWASP's Password Storage Cheat Sheet's scrypt minimum (N=2^17, r=8, p=1). Measured on this
#: project's CI machine (AMD EPYC, 2 cores, cryptography 4x): 0.21 s per unlock, where 2^16 took
#: 0.10 s and 2^15 0.05 s. An unlock happens once per command, and once per desktop session.
DEFAULT_KDF = KdfParams()
#: The most a header may ask for: a crafted file must not make every command allocate gigabytes.
MAX_KDF_MEMORY = 1 << 30
MAX_KDF_P = 16


class _Key:
    """The AES key, held by this object only and never shown by a repr."""

    __slots__ = ("_value",)

    def __init__(self, value: bytes) -> None:
        self._value = value

    def aead(self) -> AESGCM:
        return AESGCM(self._value)

    def __repr__(self) -> str:
        return "_Key(****)"


@frozen_record
class _Header:
    """The vault file's header: how its key is derived, and the check of the passphrase."""

    kdf: KdfParams
    salt: bytes
    check: bytes
    nonce: bytes

    def line(self) -> bytes:
        """The magic line and the header line as written (and authenticated as associated data)."""
        fields: dict[str, Any] = {
            "v": FORMAT_VERSION,
            "cipher": CIPHER,
            "kdf": {"name": "scrypt", "n": self.kdf.n, "r": self.kdf.r, "p": self.kdf.p, "salt": _b64(self.salt)},
            "check": _b64(self.check),
            "nonce": _b64(self.nonce),
        }
        fields["sum"] = _header_sum(fields)
        return MAGIC + b"\n" + _canonical(fields) + b"\n"


class FileVault:
    """A ``SecretVault`` in one encrypted file. Build it with ``FileVault.open``.

    Thread-safe, and safe to share between processes; the profile store calls it from its
    worker thread like any vault.
    """

    def __init__(self, path: Path, key: _Key, header: _Header, entries: dict[str, str], signature: _Signature | None) -> None:
        self._path = path
        self._key = key
        self._header = header
        self._entries = entries
        self._signature = signature
        self._lock = threading.Lock()
        # Beside the file, not in the runtime folder: processes with different runtime folders
        # (a container sharing the file) still take the same lock.
        self._file_lock = FileLock(f"{path}.lock", mode=0o600, thread_local=False)
        self.calls = 0

    @property
    def path(self) -> Path:
        return self._path

    @staticmethod
    def exists(path: Path) -> bool:
        """Whether ``path`` holds a vault already (so opening it makes none, and asks once)."""
        return path.exists()

    @classmethod
    def open(cls, path: Path, passphrase: Secret, *, kdf: KdfParams = DEFAULT_KDF) -> FileVault:
        """Open the vault at ``path``, or make a new empty one there with ``kdf``.

        Blocking: the key derivation takes a fraction of a second on purpose.

        Raises:
            WrongVaultPassphrase: the passphrase does not open this file.
            VaultDamaged: the file is not a vault, or it was truncated or altered.
            StoreError: the file or its folder cannot be read or written.
        """
        path = Path(path).expanduser().absolute()
        data = _read(path)
        if data is not None:
            header, body_at = _parse_header(path, data[0])
            key = _derive(passphrase, header, path)
            return cls(path, key, header, _decrypt(path, key, header, data[0], body_at), data[1])
        salt = secrets.token_bytes(SALT_BYTES)
        key, check = _stretch(passphrase, kdf, salt)
        header = _Header(kdf=kdf, salt=salt, check=check, nonce=b"")
        vault = cls(path, key, header, {}, None)
        with vault._writing():
            # Made meanwhile by another process (the desktop app and a command started at once):
            # open that one instead of replacing it.
            if vault._path.exists():
                return cls.open(path, passphrase, kdf=kdf)
            vault._write({})
        return vault

    # -- SecretVault ----------------------------------------------------------------------------

    def get(self, key: str) -> str | None:
        with self._lock:
            self.calls += 1
            return self._current().get(key)

    def set(self, key: str, value: str) -> None:
        with self._lock, self._writing():
            self.calls += 1
            entries = dict(self._current())
            entries[key] = value
            self._write(entries)

    def delete(self, key: str) -> None:
        """Delete ``key``; nothing to delete is no error (as with ``KeyringVault``)."""
        with self._lock, self._writing():
            self.calls += 1
            entries = self._current()
            if key in entries:
                entries = dict(entries)
                del entries[key]
                self._write(entries)

    # -- more than a keyring can do -------------------------------------------------------------

    def keys(self) -> list[str]:
        """Every entry's name (unlike a keyring, a file can be listed)."""
        with self._lock:
            return list(self._current())

    def reread(self) -> None:
        """Forget what was read, so the next call decrypts the file from the disk (a migration
        verifies what it wrote this way)."""
        with self._lock:
            self._signature = None

    # -- the file -------------------------------------------------------------------------------

    def _current(self) -> dict[str, str]:
        """The entries as the file holds them now: decrypted again when another process
        replaced the file (a write is a rename: a new inode)."""
        try:
            signature = _signature(os.stat(self._path))
        except FileNotFoundError:
            # Deleted by hand: an empty store, as a new keyring is; the next write makes the
            # file again, with this vault's key.
            self._entries, self._signature = {}, None
            return self._entries
        except OSError as exc:
            raise _os_error(self._path, "read", exc) from exc
        if signature == self._signature:
            return self._entries
        data = _read(self._path)
        if data is None:
            self._entries, self._signature = {}, None
            return self._entries
        header, body_at = _parse_header(self._path, data[0])
        if (header.kdf, header.salt, header.check) != (self._header.kdf, self._header.salt, self._header.check):
            raise StoreError(
                f"the vault file {self._path} was replaced by another vault (another passphrase or salt) "
                "since this process opened it; nothing was written to it"
            )
        # Only a whole, authenticated file replaces what was read: a damaged one raises here,
        # every time, and is never written over.
        self._entries = _decrypt(self._path, self._key, header, data[0], body_at)
        self._signature = data[1]
        return self._entries

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """Hold the cross-process lock around a read-modify-write of the file."""
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            self._file_lock.acquire(timeout=LOCK_TIMEOUT)
        except TimeoutError as exc:  # filelock.Timeout
            raise StoreError(
                f"the vault file {self._path} stayed locked by another process for {LOCK_TIMEOUT:.0f} s",
                actions=(Action.CLOSE_OTHER_PROCESS,),
            ) from exc
        except OSError as exc:
            raise _os_error(self._path, "lock", exc) from exc
        try:
            yield
        finally:
            self._file_lock.release()

    def _write(self, entries: dict[str, str]) -> None:
        """Encrypt ``entries`` under a new nonce and replace the file atomically (lock held)."""
        header = _Header(kdf=self._header.kdf, salt=self._header.salt, check=self._header.check, nonce=secrets.token_bytes(NONCE_BYTES))
        associated = header.line()
        plaintext = _canonical({"entries": entries})
        data = associated + self._key.aead().encrypt(header.nonce, plaintext, associated)
        folder = self._path.parent
        tmp = folder / f".{self._path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, self._path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise _os_error(self._path, "write", exc) from exc
        _fsync_folder(folder)
        self._header, self._entries = header, entries
        self._signature = _signature(os.stat(self._path))


_Signature = tuple[int, int, int]


def _signature(st: os.stat_result) -> _Signature:
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def _read(path: Path) -> tuple[bytes, _Signature] | None:
    """The file's bytes and the signature of exactly that version; None if there is none."""
    try:
        with open(path, "rb") as fh:
            signature = _signature(os.fstat(fh.fileno()))
            return fh.read(), signature
    except FileNotFoundError:
        return None
    except IsADirectoryError as exc:
        raise VaultDamaged(f"the vault file {path} is a folder, not a vault") from exc
    except OSError as exc:
        raise _os_error(path, "read", exc) from exc


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable: without it a power loss may bring the old file back."""
    if not hasattr(os, "O_DIRECTORY"):  # Windows: no directory handles to fsync
        return
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return  # the write itself succeeded; durability of the rename is best effort here
    try:
        os.fsync(fd)
    except OSError:
        pass  # some filesystems (network ones) refuse fsync on a folder; the rename is done
    finally:
        os.close(fd)


def _os_error(path: Path, what: str, exc: OSError) -> StoreError:
    return StoreError(f"could not {what} the vault file {path}: {exc.strerror or type(exc).__name__}")


def _damaged(path: Path, why: str) -> VaultDamaged:
    return VaultDamaged(f"the vault file {path} is damaged ({why}); it was left as it is")


def _parse_header(path: Path, data: bytes) -> tuple[_Header, int]:
    """The checked header and where the ciphertext starts."""
    magic, sep, rest = data.partition(b"\n")
    if magic != MAGIC or not sep:
        if not data:
            raise _damaged(path, "it is empty")
        raise _damaged(path, "it does not start like a musicauth vault")
    line, sep, _ = rest.partition(b"\n")
    if not sep:
        raise _damaged(path, "its header is cut short")
    try:
        fields = json.loads(line)
        if not isinstance(fields, dict):
            raise ValueError("not an object")
        claimed = fields.pop("sum")
    except (ValueError, KeyError, UnicodeDecodeError) as exc:
        raise _damaged(path, "its header cannot be read") from exc
    if not isinstance(claimed, str) or not hmac.compare_digest(claimed, _header_sum(fields)):
        raise _damaged(path, "its header does not match its checksum")
    if fields.get("v") != FORMAT_VERSION:
        raise UnsupportedFeature(f"the vault file {path} has format {fields.get('v')!r}; this version reads format {FORMAT_VERSION}")
    try:
        kdf_fields = fields["kdf"]
        if fields["cipher"] != CIPHER or kdf_fields["name"] != "scrypt":
            what = f"{fields['cipher']} with {kdf_fields['name']}"
            raise UnsupportedFeature(f"the vault file {path} uses {what}, which this version cannot read")
        kdf = KdfParams(n=int(kdf_fields["n"]), r=int(kdf_fields["r"]), p=int(kdf_fields["p"]))
        header = _Header(kdf=kdf, salt=_unb64(kdf_fields["salt"]), check=_unb64(fields["check"]), nonce=_unb64(fields["nonce"]))
    except (KeyError, TypeError, ValueError, binascii.Error) as exc:
        raise _damaged(path, "its header is incomplete") from exc
    n_ok = kdf.n >= 2 and kdf.n & (kdf.n - 1) == 0
    if not (n_ok and 1 <= kdf.r and 1 <= kdf.p <= MAX_KDF_P and kdf.memory() <= MAX_KDF_MEMORY):
        raise _damaged(path, f"its key derivation parameters are out of bounds: n={kdf.n}, r={kdf.r}, p={kdf.p}")
    if len(header.salt) < SALT_BYTES or len(header.check) != CHECK_BYTES or len(header.nonce) != NONCE_BYTES:
        raise _damaged(path, "its header has a salt, check value or nonce of the wrong size")
    return header, len(magic) + 1 + len(line) + 1


def _stretch(passphrase: Secret, kdf: KdfParams, salt: bytes) -> tuple[_Key, bytes]:
    """The AES key and the key check value for ``passphrase``."""
    # NFC: the same passphrase typed on two systems may arrive composed or decomposed.
    secret = unicodedata.normalize("NFC", passphrase.reveal()).encode("utf-8")
    derived = Scrypt(salt=salt, length=64, n=kdf.n, r=kdf.r, p=kdf.p).derive(secret)
    check = hashlib.sha256(b"musicauth-vault key check\0" + derived[32:]).digest()[:CHECK_BYTES]
    return _Key(derived[:32]), check


def _derive(passphrase: Secret, header: _Header, path: Path) -> _Key:
    key, check = _stretch(passphrase, header.kdf, header.salt)
    if not hmac.compare_digest(check, header.check):
        raise WrongVaultPassphrase(f"the passphrase does not open the vault file {path}")
    return key


def _decrypt(path: Path, key: _Key, header: _Header, data: bytes, body_at: int) -> dict[str, str]:
    body = data[body_at:]
    if len(body) < TAG_BYTES:
        raise _damaged(path, "it is cut short")
    try:
        plaintext = key.aead().decrypt(header.nonce, body, data[:body_at])
    except InvalidTag as exc:
        # The key check passed, so the key is right: the content or the header was changed.
        raise _damaged(path, "its content fails authentication: cut short or altered") from exc
    try:
        entries = json.loads(plaintext)["entries"]
    except (ValueError, KeyError, TypeError) as exc:
        raise _damaged(path, "its content is not a vault's") from exc
    if not isinstance(entries, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in entries.items()):
        raise _damaged(path, "its content is not a vault's")
    return entries


def _canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def _header_sum(fields: dict[str, Any]) -> str:
    return hashlib.sha256(MAGIC + b"\n" + _canonical(fields)).hexdigest()[:32]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: object) -> bytes:
    if not isinstance(text, str):
        raise TypeError("not a string")
    return base64.b64decode(text.encode("ascii"), validate=True)
