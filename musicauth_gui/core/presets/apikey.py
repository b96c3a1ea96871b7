"""Any API key or personal access token (``flow = "static"``).

Kept in the keyring like a client secret (or named as ``{ env = "VAR" }``), sent as a header
(``Authorization: Bearer`` unless ``header_name`` and ``scheme`` say otherwise) or as a query
parameter (``placement = "query"``, ``query_param``). It never expires and is never renewed.
"""

from .base import Preset

APIKEY = Preset(
    id="apikey",
    label="API key",
    flows=("static",),
)
