"""An API that takes a static key: in a header (name and scheme as configured) or a query
parameter, as Musixmatch's ``?apikey=``, Genius' ``Bearer`` or Discogs' ``Discogs token=`` do.

``GET /me`` answers 200 with ``{"user": ...}`` when the key is where the server expects it, and
401 otherwise (a key in the wrong place counts as missing). Standard library only.
"""

from __future__ import annotations

from .server import EmulatorServer, Request, Response

__all__ = ["ApiKeyServer"]


class ApiKeyServer(EmulatorServer):
    """Attributes (safe to change while running):
    key: the one valid key.
    placement: ``"header"`` or ``"query"``.
    header_name, scheme: with ``header``: the header carries ``scheme`` + key (a scheme ending in
        ``=`` is joined without a space; an empty one means the bare key).
    query_param: with ``query``: the parameter's name.
    """

    def __init__(
        self,
        key: str,
        *,
        placement: str = "header",
        header_name: str = "Authorization",
        scheme: str = "Bearer",
        query_param: str = "apikey",
        port: int = 0,
    ) -> None:
        super().__init__(port=port)
        if placement not in ("header", "query"):
            raise ValueError(f"placement must be header or query, not {placement!r}")
        self.key = key
        self.placement = placement
        self.header_name = header_name
        self.scheme = scheme
        self.query_param = query_param
        self.route("GET", "/me", self._handle_me)

    def expected_header_value(self) -> str:
        if not self.scheme:
            return self.key
        return f"{self.scheme}{'' if self.scheme.endswith('=') else ' '}{self.key}"

    def _handle_me(self, request: Request) -> Response:
        if self.placement == "query":
            ok = request.query.get(self.query_param) == self.key
        else:
            ok = request.headers.get(self.header_name.lower()) == self.expected_header_value()
        if not ok:
            return Response.json(401, {"error": "invalid_key", "message": "missing or wrong API key"})
        return Response.json(200, {"user": "sandbox-user-1", "placement": self.placement})
