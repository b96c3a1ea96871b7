"""Any OAuth 2.0 / OpenID Connect provider, its endpoints discovered from its issuer.

Discovery tries RFC 8414 ``/.well-known/oauth-authorization-server`` first, then OpenID
Connect's ``/.well-known/openid-configuration``; introspection follows RFC 7662 and sign-out
revokes through RFC 7009 where the metadata names a revocation endpoint. The device flow
(RFC 8628) takes ``device_authorization_endpoint`` from the metadata, or from the profile.
"""

from .base import Preset

OAUTH2 = Preset(
    id="oauth2",
    label="Generic OAuth 2.0",
    flows=("authorization_code", "client_credentials", "device"),
    introspection_style="rfc7662",
    issuer_required=True,
)
