"""DevTokens per second on one core, against raw ``cryptography`` ECDSA P-256 signing.

In a child process pinned to one CPU (``sched_setaffinity``), one thread: ``DevTokenSigner``
(a P-256 key object loaded once, as the app holds it) signs the same claims again and again;
the floor is ``private_key.sign(signing_input, ECDSA(SHA256()))`` over the very signing input
of such a token (``base64url(header).base64url(payload)``). Short rounds alternate between the
two; the rate of each is the median over the rounds.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time

from .common import PYTHON, ROOT, Row

GOAL = 0.45
ROUNDS = 8
ROUND_SECONDS = 0.15


def _rate(fn: object, seconds: float) -> float:
    n = 0
    start = time.perf_counter()
    end = start + seconds
    while True:
        for _ in range(50):
            fn()  # type: ignore[operator]
        n += 50
        now = time.perf_counter()
        if now >= end:
            return n / (now - start)


def _sketch_signer(key: object, *, kid: str) -> object:
    """Evidence only, not used by the app: what DevTokenSigner would cost without PyJWT's
    per-call work (header JSON and base64 every time, claim validation, key-type checks).
    The header segment is encoded once; the signature is the same ECDSA P-256 call, turned
    from DER into JOSE's raw r||s (RFC 7518 §3.4)."""
    import base64

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    def b64(data: bytes) -> bytes:
        return base64.urlsafe_b64encode(data).rstrip(b"=")

    header = b64(json.dumps({"alg": "ES256", "kid": kid, "typ": "JWT"}, separators=(",", ":")).encode())
    algorithm = ec.ECDSA(hashes.SHA256())

    def sign(*, iss: str, ttl: int, now: int, sub: str | None = None) -> str:
        payload = {"iss": iss, "iat": now, "exp": now + ttl}
        if sub:
            payload["sub"] = sub
        signing_input = header + b"." + b64(json.dumps(payload, separators=(",", ":")).encode())
        r, s = decode_dss_signature(key.sign(signing_input, algorithm))  # type: ignore[attr-defined]
        return (signing_input + b"." + b64(r.to_bytes(32, "big") + s.to_bytes(32, "big"))).decode()

    return sign


def child() -> int:
    cpu = sorted(os.sched_getaffinity(0))[-1]
    os.sched_setaffinity(0, {cpu})
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    from musicauth_gui.core.devtoken import DevTokenSigner
    from musicauth_gui.core.keys import generate_private_key

    key = generate_private_key()
    signer = DevTokenSigner(key, kid="BENCHKID01")
    claims = {"iss": "bench-client", "sub": "3f2504e0-4f89-11d3-9a0c-0305e82c3301", "ttl": 14 * 86400, "now": 1_760_000_000}
    token = signer.sign(**claims)  # type: ignore[arg-type]
    signing_input = token.rsplit(".", 1)[0].encode("ascii")
    algorithm = ec.ECDSA(hashes.SHA256())

    def ours() -> None:
        signer.sign(**claims)  # type: ignore[arg-type]

    def raw() -> None:
        key.sign(signing_input, algorithm)

    sketch = _sketch_signer(key, kid="BENCHKID01")

    def lean() -> None:
        sketch(**claims)

    # The sketch must produce what the app's signer produces: same header and claims, and a
    # signature PyJWT verifies with the public key.
    import jwt

    lean_token = sketch(**claims)
    assert jwt.get_unverified_header(lean_token) == jwt.get_unverified_header(token)
    assert jwt.decode(lean_token, key.public_key(), algorithms=["ES256"], options={"verify_exp": False}) == jwt.decode(
        token, key.public_key(), algorithms=["ES256"], options={"verify_exp": False}
    )

    paths = {"ours": ours, "raw": raw, "sketch": lean}
    for fn in paths.values():
        _rate(fn, 0.1)  # warm up every path
    rates: dict[str, list[float]] = {name: [] for name in paths}
    names = list(paths)
    for i in range(ROUNDS):
        for name in names[i % 3 :] + names[: i % 3]:
            rates[name].append(_rate(paths[name], ROUND_SECONDS))
    print("result " + json.dumps({"cpu": cpu, **rates}), flush=True)
    return 0


def measure() -> tuple[list[Row], dict[str, object]]:
    out = subprocess.run(
        [PYTHON, "-m", "benchmarks.devtokens", "--child"], cwd=str(ROOT), capture_output=True, text=True, timeout=120
    )
    line = next((text for text in out.stdout.splitlines() if text.startswith("result ")), None)
    if line is None:
        raise RuntimeError(f"devtokens child failed: {out.stderr[-2000:]}")
    raw = json.loads(line[len("result ") :])
    ours, floor = statistics.median(raw["ours"]), statistics.median(raw["raw"])
    ratio = ours / floor
    row = Row(
        f"DevTokens per second, one core (ES256; median of {ROUNDS} alternating rounds)",
        f"{ours:,.0f}/s",
        f"{floor:,.0f}/s (raw cryptography P-256 sign)",
        f"{ratio:.2f}×",
        f"≥ {GOAL}×",
        ratio >= GOAL,
    )
    sketch = statistics.median(raw["sketch"])
    info = Row(
        "(info) the same DevToken signed without PyJWT (header encoded once; sketch in benchmarks/devtokens.py, "
        "checked against PyJWT)",
        f"{sketch:,.0f}/s",
        f"{floor:,.0f}/s",
        f"{sketch / floor:.2f}×",
        "-",
        None,
    )
    return [row, info], raw


if __name__ == "__main__":
    if "--child" in sys.argv:
        sys.exit(child())
    rows, raw = measure()
    for row in rows:
        print(row)
