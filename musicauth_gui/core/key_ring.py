"""The key operations the front ends use: ``engine.key_ring``.

A thin typed door over the key store (``store/key_store.py``): the CLI's ``key`` commands, the
key manager and the DevToken generator go through here, never to the store, so that a change to
how keys are kept breaks no front end. What a front end may catch is re-exported here too.
"""

from __future__ import annotations

from .devtoken import DevTokenSigner
from .keys import KeyInfo, load_private_key, public_jwk
from .store.key_store import KeyInUse, KeyListing, KeyNotFound, KeyStore

__all__ = ["KeyInUse", "KeyListing", "KeyNotFound", "KeyRing"]


class KeyRing:
    """P-256 keys kept in the store's vault, by name."""

    def __init__(self, keys: KeyStore) -> None:
        self._keys = keys

    async def names(self) -> list[str]:
        return await self._keys.names()

    async def scan(self) -> KeyListing:
        """Every key the index names: the usable ones, and the damaged or missing ones apart."""
        return await self._keys.scan()

    async def usable_keys(self) -> list[KeyInfo]:
        return await self._keys.usable_keys()

    async def generate(self, name: str) -> KeyInfo:
        """A new P-256 key, stored under ``name``."""
        return await self._keys.generate(name)

    async def import_key(self, name: str, data: bytes, passphrase: bytes | None = None) -> KeyInfo:
        """A PEM or DER private key (SEC1, PKCS#8, encrypted PKCS#8).

        Raises:
            PassphraseRequired: the key is encrypted and no (or a wrong) passphrase was given.
        """
        return await self._keys.import_key(name, data, passphrase)

    async def public_pem(self, name: str) -> str:
        return await self._keys.public_pem(name)

    async def public_jwk(self, name: str, *, kid: str | None = None) -> dict[str, str]:
        return public_jwk(await self._keys.private_key(name), kid=kid)

    async def export_private(self, name: str, passphrase: bytes) -> str:
        """The private key as encrypted PKCS#8 PEM (the only way it ever leaves the store)."""
        return await self._keys.export_private(name, passphrase)

    async def delete(self, name: str, *, force: bool = False) -> list[str]:
        """Delete ``name``; the profiles left without their key.

        Raises:
            KeyInUse: profiles use it and ``force`` is not set.
        """
        return await self._keys.delete(name, force=force)

    async def signer(self, name: str, *, kid: str) -> DevTokenSigner:
        """A DevToken signer holding the loaded key ``name`` (the DevToken generator's)."""
        return DevTokenSigner(await self._keys.private_key(name), kid=kid)

    @staticmethod
    def signer_for(data: bytes, *, kid: str, passphrase: bytes | None = None) -> DevTokenSigner:
        """A DevToken signer for a key given as PEM or DER, kept nowhere (``devtoken --key-file``:
        signing with no store at all, as ``step crypto jwt sign`` does).

        Raises:
            KeyProblem: not a P-256 private key, or a passphrase missing or wrong.
        """
        return DevTokenSigner(load_private_key(data, passphrase), kid=kid)
