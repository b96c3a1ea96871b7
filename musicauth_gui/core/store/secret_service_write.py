"""The one write keyring's Secret Service backend makes, made on jeepney alone.

keyring's ``set_password`` imports keyring and secretstorage, and secretstorage imports
cryptography's AES for its encrypted session (~35 ms together), then opens a connection, checks
the collection's lock, opens a Diffie-Hellman session and calls ``CreateItem``. A token renewed
by ``musicauth refresh`` or ``login`` on a Linux desktop spent most of the time between the
provider's answer and its exit on that: 63 ms of it, where google-auth's process exited 20 ms
after its answer. Here the same ``CreateItem`` goes on the reader's connection and plain session
(``secret_service_bulk``, whose docstring says why a plain session is acceptable on the user's
own bus; zalando/go-keyring, the keyring of GitHub's ``gh``, writes through one too).

It writes exactly the item keyring writes, so that keyring (and every reader of this store) finds
it as its own, and replaces the same item keyring would: the label ``Password for '<key>' on
'<service>'``, the attributes of keyring's scheme plus ``application`` (keyring's ``appid``),
the value as UTF-8 with the content type ``text/plain``, ``replace`` set.

What it leaves to keyring (``BulkReadUnavailable``, the reader's "keyring must do this"): a
locked collection (``CollectionLocked``: keyring shows the desktop's unlock prompt, this shows
none), a service that asks for a prompt to create the item, one that refuses a plain session, a
missing collection (keyring creates the default one), any D-Bus error. Deletes stay keyring's:
rare, and its search-then-delete needs nothing this saves.
"""

from __future__ import annotations

from .secret_service_bulk import INTERFACE_PREFIX, BulkReadUnavailable, SecretServiceReader

#: What ``CreateItem`` answers for the item when the service needs a prompt first.
_NO_OBJECT = "/"


class PromptNeeded(BulkReadUnavailable):
    """The service asks for a prompt to create the item: keyring's backend runs it."""


class SecretServiceWriter(SecretServiceReader):
    """``set_password``'s item, written on one D-Bus connection (a context manager, as the reader).

    Blocking: run it on the store's worker thread (or the only thread, the command line).
    """

    def store(self, service: str, key: str, value: str) -> None:
        """Create or replace the item keyring's ``set_password(service, key, value)`` would.

        Raises:
            BulkReadUnavailable: nothing was written; keyring must (``CollectionLocked``,
                ``PromptNeeded`` among them).
        """
        self._guarded(lambda: self._store(service, key, value))

    def _store(self, service: str, key: str, value: str) -> None:
        t = self._target
        properties = {
            INTERFACE_PREFIX + "Item.Label": ("s", f"Password for '{key}' on '{service}'"),
            INTERFACE_PREFIX + "Item.Attributes": (
                "a{ss}",
                {t.username_attribute: key, t.service_attribute: service, "application": t.application},
            ),
        }
        secret = (self._plain_session(), b"", value.encode("utf-8"), "text/plain")
        item, _prompt = self._call(t.collection, "Collection", "CreateItem", "a{sv}(oayays)b", properties, secret, True)
        if item == _NO_OBJECT:
            # Not created until the prompt completes, and nobody here will run it: the service
            # drops an unused prompt object with this connection.
            raise PromptNeeded("the service asks for a prompt to create the item")
