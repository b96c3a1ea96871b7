"""The README's GitHub Actions example, run as written: its profiles file and the ``run:`` steps of
its workflow are taken from README.md itself (so the README cannot drift), and run with bash as
the runner runs them, with keyring's fail backend (no keyring at all), against the emulators.

What stands in for GitHub: the repository secrets and variables (``${{ secrets.X }}``,
``${{ vars.X }}``), the emulators' URLs in the profiles file (the only change made to it), a
``musicauth`` and a ``python`` on PATH for the code under test, and ``scripts/api_check.py``
(the user's own script in the example), which records what it was given.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import httpx
import pytest
import tomli_w
from cryptography.hazmat.primitives import serialization

from musicauth_gui.sandbox import MusicApiServer, SpotifyServer
from tests.support.jws import verify_es256

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
SECTION = README.split("### In CI (GitHub Actions)", 1)[1].split("\n## ", 1)[0]

SPOTIFY_SECRET = "spotify+secret/=&"
MUSICAPI_CLIENT = "mapi-client-1"
MUSICAPI_KID = "KID-CI-1"

#: The user's script in the example: writes its argument and the credentials it found.
API_CHECK = """
import json, os, sys
names = ("MUSICAUTH_TOKEN", "MUSICAUTH_AUTHORIZATION", "MUSICAPI_DEVTOKEN")
seen = {"which": sys.argv[1], **{k: os.environ[k] for k in names if k in os.environ}}
with open(os.environ["API_CHECK_LOG"], "a") as log:
    log.write(json.dumps(seen) + "\\n")
"""


def code_block(language: str) -> str:
    blocks = re.findall(rf"```{language}\n(.*?)```", SECTION, re.DOTALL)
    assert len(blocks) == 1, f"one {language} block expected in the README's CI section"
    return str(blocks[0])


# -- just enough YAML for a workflow: mappings, lists of mappings, `|` blocks, plain scalars --------


def parse_yaml(text: str) -> Any:
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    value, rest = _block(lines, 0)
    assert not rest, rest
    return value


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _scalar(text: str) -> str:
    text = re.sub(r"\s+#.*$", "", text).strip()
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'" else text


def _block(lines: list[str], indent: int) -> tuple[Any, list[str]]:
    if lines and _indent(lines[0]) == indent and lines[0].lstrip().startswith("- "):
        items = []
        while lines and _indent(lines[0]) == indent and lines[0].lstrip().startswith("- "):
            first = " " * (indent + 2) + lines[0].lstrip()[2:]
            item, lines = _block([first, *lines[1:]], indent + 2)
            items.append(item)
        return items, lines
    mapping: dict[str, Any] = {}
    while lines and _indent(lines[0]) == indent:
        key, _, value = lines[0].strip().partition(":")
        lines = lines[1:]
        if value.strip() == "|":
            body = []
            while lines and _indent(lines[0]) > indent:
                body.append(lines[0])
                lines = lines[1:]
            cut = min(_indent(line) for line in body)
            mapping[key] = "\n".join(line[cut:] for line in body) + "\n"
        elif value.strip():
            mapping[key] = _scalar(value)
        else:
            mapping[key], lines = _block(lines, _indent(lines[0]))
    return mapping, lines


# -- the stand-ins for GitHub ----------------------------------------------------------------------


def expand(value: str, secrets: dict[str, str], variables: dict[str, str]) -> str:
    """``${{ secrets.X }}`` and ``${{ vars.X }}``, as the runner expands them; nothing else."""

    def one(match: re.Match[str]) -> str:
        kind, name = match.group(1), match.group(2)
        return (secrets if kind == "secrets" else variables)[name]

    expanded = re.sub(r"\$\{\{\s*(secrets|vars)\.(\w+)\s*\}\}", one, value)
    assert "${{" not in expanded, value
    return expanded


@pytest.fixture
def spotify_server():  # type: ignore[no-untyped-def]
    with SpotifyServer() as server:
        yield server


@pytest.fixture
def musicapi_server():  # type: ignore[no-untyped-def]
    with MusicApiServer() as server:
        yield server


def test_the_readme_ci_recipe_runs_with_no_keyring(tmp_path, spotify_server, musicapi_server, app_written_dirs, isolated_dirs) -> None:  # type: ignore[no-untyped-def]
    workflow = parse_yaml(code_block("yaml"))
    job = next(iter(workflow["jobs"].values()))
    profiles = tomllib.loads(code_block("toml"))

    # The repository: the README's profiles file, pointed at the emulator (the one change).
    [table] = profiles["profiles"].values()
    assert table["client_secret"] == {"env": "SPOTIFY_CLIENT_SECRET"}
    spotify_server.register_client(table["client_id"], SPOTIFY_SECRET)
    table["token_endpoint"] = spotify_server.url("/api/token")
    profiles_path = tmp_path / job["env"]["MUSICAUTH_PROFILES"]
    profiles_path.parent.mkdir(parents=True)
    profiles_path.write_text(tomli_w.dumps(profiles))
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "api_check.py").write_text(API_CHECK)

    # The repository's secrets and variables, and a MusicAPI account that knows the key.
    key_pem = subprocess.run(
        ["openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout"], check=True, capture_output=True, text=True
    ).stdout
    public = serialization.load_pem_private_key(key_pem.encode(), None).public_key()
    musicapi_server.register_client(MUSICAPI_CLIENT, "unused-secret")
    musicapi_server.register_public_key(
        MUSICAPI_CLIENT, MUSICAPI_KID, public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    secrets = {"SPOTIFY_CLIENT_SECRET": SPOTIFY_SECRET, "MUSICAPI_KEY": key_pem}
    variables = {"MUSICAPI_KEY_ID": MUSICAPI_KID, "MUSICAPI_CLIENT_ID": MUSICAPI_CLIENT}

    # The runner: `musicauth` and `python` on PATH run the code under test.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "musicauth").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m musicauth_gui.cli "$@"\n')
    (bin_dir / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    for shim in bin_dir.iterdir():
        shim.chmod(0o755)
    log = tmp_path / "api_check.log"
    base_env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "API_CHECK_LOG": str(log),
    }
    base_env.pop("MUSICAUTH_TEST_KEYRING_DIR", None)

    ran = []
    for step in job["steps"]:
        if "run" not in step:
            continue  # `uses:` steps: checkout and setup-python, done above
        if step["run"].startswith("pip install"):
            continue  # the package under test is the one installed
        env = {**base_env, **job["env"], **{k: expand(v, secrets, variables) for k, v in step.get("env", {}).items()}}
        # GitHub runs a `run:` script with `bash -e {0}` on Linux runners.
        script = tmp_path / f"step{len(ran)}.sh"
        script.write_text(step["run"])
        result = subprocess.run(["bash", "-e", str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, (step.get("name"), result.stdout, result.stderr)
        ran.append(step.get("name"))
    assert len(ran) == 2 and all("musicauth" in step["run"] for step in job["steps"] if step.get("name") in ran)

    seen = {entry["which"]: entry for entry in map(json.loads, log.read_text().splitlines())}
    # The client-credentials token, as exec gave it: issued by the emulator, in the provider's scheme.
    spotify = seen["spotify"]
    assert spotify_server.is_access_token_active(spotify["MUSICAUTH_TOKEN"])
    assert spotify["MUSICAUTH_AUTHORIZATION"] == f"Bearer {spotify['MUSICAUTH_TOKEN']}"
    # The DevToken: signed with the secret key, accepted by MusicAPI.
    devtoken = seen["musicapi"]["MUSICAPI_DEVTOKEN"]
    header, claims = verify_es256(devtoken, public)  # type: ignore[arg-type]
    assert (header["kid"], claims["iss"], claims["exp"] - claims["iat"]) == (MUSICAPI_KID, MUSICAPI_CLIENT, 3600)
    answer = httpx.get(musicapi_server.url("/search/introspection"), headers={"Authorization": f"DevToken {devtoken}"})
    assert answer.status_code == 200, answer.text

    # No keyring, and nothing written: no lock file, no token, no marker.
    written = [p for d in [*app_written_dirs, isolated_dirs["keyring"]] for p in d.rglob("*")]
    assert written == []
    for path in tmp_path.rglob("*"):
        if path.is_file() and path != log:
            assert spotify["MUSICAUTH_TOKEN"] not in path.read_text(errors="replace"), path
