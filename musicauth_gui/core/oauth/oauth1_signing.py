"""OAuth 1.0a (RFC 5849) request signing: the ``Authorization`` header for one request.

- Signing is oauthlib's (``oauthlib.oauth1.Client``), which discogs_client and requests-oauthlib
  use too: the parameter normalisation and the double percent-encoding of RFC 5849 §3.4-3.6 are
  easy to get subtly wrong by hand. Every signature carries a fresh nonce and timestamp
  (§3.3), so a header is good for one request.
- PLAINTEXT (§3.4.4) signs with ``consumer_secret&token_secret`` themselves: it binds nothing
  of the request, and is safe over TLS only. HMAC-SHA1 (§3.4.2) binds the method, the URL and
  the parameters, so its header is valid for exactly the request it was made for.

Apart from the three legs' requests (``oauth1.py``, which need httpx): the lean ``musicauth
token`` path (``lean_token.py``) signs a Discogs header here without loading the HTTP stack.
"""

from __future__ import annotations

import logging
from dataclasses import field

from ..errors import ConfigError
from ..model import DEFAULT_SIGNATURE_METHOD, SignatureMethod
from ..record import frozen_record
from ..secret import Secret

# oauthlib logs the collected parameters and the signature base string at DEBUG, where the token
# appears percent-encoded (past the log scrubber's recognition). ``-v`` must not print it.
logging.getLogger("oauthlib").setLevel(logging.INFO)

FORM = "application/x-www-form-urlencoded"


@frozen_record
class Consumer:
    """The application's credentials (the profile's ``client_id`` and ``client_secret``) and how
    it signs."""

    key: str
    secret: Secret
    signature_method: SignatureMethod = DEFAULT_SIGNATURE_METHOD


@frozen_record
class Credentials:
    """A token and its secret: temporary (a request token) or for good (an access token)."""

    token: str = field(repr=False)
    secret: Secret


def authorization(
    consumer: Consumer,
    method: str,
    url: str,
    *,
    token: Credentials | None = None,
    callback: str | None = None,
    verifier: Secret | None = None,
    form: bool = False,
) -> Secret:
    """The ``Authorization`` header value for one request, freshly signed (new nonce, timestamp).

    Args:
        form: the request has the form content type (and an empty body): its parameters are
            part of the signature base string.

    Raises:
        ConfigError: oauthlib refused the URL (it cannot be signed as it is).
    """
    # Imported here: about 20 ms, which the desktop app's first paint need not wait for.
    from oauthlib import oauth1

    client = oauth1.Client(
        consumer.key,
        client_secret=consumer.secret.reveal(),
        resource_owner_key=token.token if token else None,
        resource_owner_secret=token.secret.reveal() if token else None,
        callback_uri=callback,
        verifier=verifier.reveal() if verifier else None,
        signature_method=consumer.signature_method,
    )
    try:
        _, headers, _ = client.sign(url, http_method=method, body="" if form else None, headers={"Content-Type": FORM} if form else None)
    except ValueError:
        # The message quotes the URL's query; ours are checked URLs, so this is a bug or an odd
        # try_url, and the URL is the field to look at.
        raise ConfigError("the URL cannot be signed for OAuth 1.0a (its query is not form-encoded)", field="try_url") from None
    return Secret(str(headers["Authorization"]))
