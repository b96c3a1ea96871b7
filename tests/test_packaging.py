"""Cheap checks of the packaging files, every run: one identity everywhere, a valid .desktop file
and metainfo, screenshots that exist, and a PyInstaller spec that reads its identity from the
package. (Building the bundle and the wheel is packaging/build-linux and packaging/check-wheel.)

The validators run when installed (Debian: desktop-file-utils, appstream) and skip otherwise;
with MUSICAUTH_EXPECT_PACKAGING_TOOLS=1 a missing validator fails instead of skipping.
"""

from __future__ import annotations

import ast
import configparser
import os
import shutil
import subprocess
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from musicauth_gui import APP_ID, APP_NAME, __version__

ROOT = Path(__file__).resolve().parent.parent
LINUX = ROOT / "resources" / "linux"
DESKTOP = LINUX / f"{APP_ID}.desktop"
METAINFO = LINUX / f"{APP_ID}.metainfo.xml"
SPEC = ROOT / "packaging" / "musicauth.spec"
SCREENSHOT_URL = "https://raw.githubusercontent.com/musicauth/musicauth/main/"


def desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",), comment_prefixes=("#",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(DESKTOP, encoding="utf-8")
    return parser["Desktop Entry"]


def metainfo() -> ET.Element:
    return ET.parse(METAINFO).getroot()


def project_scripts() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return set(project.get("scripts", {})) | set(project.get("gui-scripts", {}))


def test_the_linux_files_are_named_by_app_id() -> None:
    assert DESKTOP.is_file() and METAINFO.is_file()
    assert all(p.name.startswith(APP_ID + ".") for p in LINUX.iterdir()), sorted(p.name for p in LINUX.iterdir())


def test_desktop_file_names_app_id_and_a_real_script() -> None:
    entry = desktop_entry()
    assert entry["Icon"] == APP_ID
    assert entry["Name"] == APP_NAME
    assert entry["Categories"] == "Development;Utility;"
    assert entry["Exec"].split()[0] in project_scripts()


def test_metainfo_names_app_id_everywhere() -> None:
    root = metainfo()
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.findtext("name") == APP_NAME
    assert [e.text for e in root.iter("launchable") if e.get("type") == "desktop-id"] == [DESKTOP.name]
    assert root.findtext("icon[@type='stock']") == APP_ID


def test_metainfo_provides_the_project_scripts() -> None:
    binaries = {e.text for e in metainfo().iterfind("provides/binary")}
    assert binaries == project_scripts() == {"musicauth", "musicauth-gui"}


def test_metainfo_newest_release_is_the_package_version() -> None:
    releases = metainfo().findall("releases/release")
    assert releases, "no <release> in the metainfo"
    assert releases[0].get("version") == __version__, "add a <release> for the new __version__ at the top"
    assert releases[0].get("date"), "the release needs a date"


def test_metainfo_has_oars_rating() -> None:
    rating = metainfo().find("content_rating")
    assert rating is not None and rating.get("type", "").startswith("oars-")


def test_metainfo_screenshots_exist_in_the_repository() -> None:
    urls = [e.text or "" for e in metainfo().iterfind("screenshots/screenshot/image")]
    assert urls
    for url in urls:
        assert url.startswith(SCREENSHOT_URL), url
        path = ROOT / url.removeprefix(SCREENSHOT_URL)
        assert path.parent == ROOT / "resources" / "screenshots", url
        assert path.is_file(), f"{url} names {path.relative_to(ROOT)}, which does not exist"


def validator(command: str) -> str:
    found = shutil.which(command)
    if found is None:
        message = f"{command} is not installed (Debian: desktop-file-utils, appstream)"
        if os.environ.get("MUSICAUTH_EXPECT_PACKAGING_TOOLS"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def test_desktop_file_validates() -> None:
    # --no-hints: the one hint, "more than one main category", is Development;Utility; by choice.
    result = subprocess.run(
        [validator("desktop-file-validate"), "--no-hints", str(DESKTOP)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and not result.stdout.strip() and not result.stderr.strip(), result.stdout + result.stderr


def test_metainfo_validates() -> None:
    # --strict fails on errors, warnings and infos; the pedantic note (an upper-case letter in the
    # component id) is APP_ID itself and stays.
    result = subprocess.run(
        [validator("appstreamcli"), "validate", "--no-net", "--strict", str(METAINFO)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_spec_parses_and_takes_its_identity_from_the_package() -> None:
    tree = ast.parse(SPEC.read_text(encoding="utf-8"), filename=str(SPEC))
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "musicauth_gui"
        for alias in node.names
    }
    assert {"APP_ID", "APP_NAME", "__version__"} <= imported
    used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
    assert {"APP_ID", "APP_NAME", "__version__"} <= used
    assert APP_ID not in SPEC.read_text(encoding="utf-8"), "the spec must import APP_ID, not spell it out"
