"""axe-core, the accessibility checker, taken from the npm registry by the tests (never served by the app).

The tarball is pinned by version and by the registry's sha512 integrity; it is downloaded once into
$AXE_CACHE_DIR (default ~/.cache/minhchung-tests) and run in the page through the browser's debugging protocol, so the
app's Content-Security-Policy stays as strict as in production."""

from __future__ import annotations

import base64
import hashlib
import os
import tarfile
import urllib.request
from functools import cache
from pathlib import Path

VERSION = "4.10.3"
TARBALL = f"https://registry.npmjs.org/axe-core/-/axe-core-{VERSION}.tgz"
INTEGRITY = "sha512-Xm7bpRXnDSX2YE2YFfBk2FnF0ep6tmG7xPh8iHee8MIcrgq762Nkce856dYtJYLkuIoYZvGfTs/PbZhideTcEg=="
SERIOUS = ("serious", "critical")


def _verified(data: bytes) -> bool:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode() == INTEGRITY


@cache
def source() -> str:
    cache_dir = Path(os.environ.get("AXE_CACHE_DIR") or Path.home() / ".cache" / "minhchung-tests")
    tarball = cache_dir / f"axe-core-{VERSION}.tgz"
    if not (tarball.exists() and _verified(tarball.read_bytes())):
        cache_dir.mkdir(parents=True, exist_ok=True)
        with urllib.request.urlopen(TARBALL, timeout=60) as response:
            data = response.read()
        if not _verified(data):
            raise RuntimeError(f"{TARBALL} does not match its integrity {INTEGRITY}")
        tarball.write_bytes(data)
    with tarfile.open(tarball) as archive:
        member = archive.extractfile("package/axe.min.js")
        assert member is not None
        return member.read().decode()


def serious_violations(page) -> list[str]:
    """Run axe on the page as it is (WCAG 2.1 A and AA rules); one line per serious or critical violation."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(source())
    results = page.evaluate(
        """() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
                                    resultTypes: ['violations']})"""
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(" ".join(n["target"]) for n in v["nodes"][:3])
        for v in results["violations"]
        if v["impact"] in SERIOUS
    ]
