"""Read the HAR file a schemathesis run wrote (scripts/fuzz-api.sh) and check that the two key writes were really
exercised: print the answers of each operation by status code, and fail unless both the upload and the decision
succeeded at least once (a 2xx), not only refused.

    python scripts/fuzz_exercised.py FILE.har
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from urllib.parse import urlparse

# method and path (after /api/v1) of the operations that must have succeeded at least once
KEY_WRITES = {
    "POST /items/{item_id}/documents": re.compile(r"/items/[^/]+/documents"),
    "POST /evidence/{evidence_id}/decision": re.compile(r"/evidence/[^/]+/decision"),
}


def statuses(har: dict) -> dict[str, Counter]:
    """For each key write, how many answers it got of each status code."""
    counts: dict[str, Counter] = {label: Counter() for label in KEY_WRITES}
    for entry in har["log"]["entries"]:
        method, path = entry["request"]["method"].upper(), urlparse(entry["request"]["url"]).path
        for label, pattern in KEY_WRITES.items():
            if label.startswith(method + " ") and pattern.fullmatch(path.split("/api/v1", 1)[-1]):
                counts[label][entry["response"]["status"]] += 1
    return counts


def main(path: str) -> int:
    with open(path, encoding="utf-8") as f:
        counts = statuses(json.load(f))
    missing = []
    for label, by_status in counts.items():
        answers = ", ".join(f"{n}× {status}" for status, n in sorted(by_status.items())) or "none"
        print(f"{label}: {answers}")
        if not any(200 <= status < 300 for status in by_status):
            missing.append(label)
    if missing:
        print(f"Not exercised (no 2xx answer): {', '.join(missing)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
