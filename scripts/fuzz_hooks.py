"""Schemathesis hooks of scripts/fuzz-api.sh: some requests to the two key writes are made valid with live data,
so that they get past validation and are exercised, not only refused.

Random bodies almost never make an upload (the file must be a real PDF, image or Office file) or a decision (the
evidence must be waiting, with the version the reviewer saw, uploaded by someone else). So every fourth upload sends
a fresh one-page PDF to a real checklist item with the fields a report needs, and every fourth decision names an
evidence that waits for review, with its current version; the other requests stay as schemathesis made them.

Reads FUZZ_BASE_URL (…/api/v1), FUZZ_TOKEN (the administrator's token schemathesis uses) and FUZZ_STAFF_TOKEN (a
staff member's: the administrator may not decide on its own uploads, so the staff member uploads one when nothing
else is waiting)."""

from __future__ import annotations

import functools
import io
import itertools
import os

import requests
import schemathesis
from pypdf import PdfWriter

UPLOAD, DECIDE = "POST /items/{item_id}/documents", "POST /evidence/{evidence_id}/decision"
EVERY = 4

_base = os.environ["FUZZ_BASE_URL"].rstrip("/")
_calls = {UPLOAD: itertools.count(), DECIDE: itertools.count()}
_pdfs = itertools.count(1)


def _get(path: str, token: str):
    answer = requests.get(f"{_base}{path}", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    answer.raise_for_status()
    return answer.json()


def _pdf() -> bytes:
    """A one-page PDF whose bytes are new each time (a title with a serial number), so it is not deduplicated."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": f"Fuzzing {os.getpid()}-{next(_pdfs)}"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@functools.cache
def _item_id() -> int:
    index = _get("/indices", os.environ["FUZZ_TOKEN"])[0]
    rubric = _get(f"/indices/{index['id']}", os.environ["FUZZ_TOKEN"])
    return next(i["id"] for a in rubric["areas"] for c in a["criteria"] for i in c["items"])


def _valid_upload() -> tuple[int, dict]:
    fields = {"number": "01/BC-UBND", "issue_date": "2024-03-01", "sent_date": "2024-03-10", "summary": "Fuzzing"}
    return _item_id(), {"file": _pdf(), **fields}


def _waiting_evidence() -> dict:
    """An evidence the administrator may decide on: waiting and not its own; a staff member uploads one if none is."""
    waiting = [e for e in _get("/review/queue", os.environ["FUZZ_TOKEN"]) if not e.get("own")]
    if waiting:
        return waiting[0]
    item_id, body = _valid_upload()
    answer = requests.post(
        f"{_base}/items/{item_id}/documents",
        headers={"Authorization": f"Bearer {os.environ['FUZZ_STAFF_TOKEN']}"},
        files={"file": ("fuzzing.pdf", body.pop("file"), "application/pdf")},
        data=body,
        timeout=30,
    )
    answer.raise_for_status()
    return answer.json()["evidence"][0]


@schemathesis.hook
def before_call(ctx, case, kwargs):
    label = f"{case.method.upper()} {case.path}"
    if label not in _calls or next(_calls[label]) % EVERY:
        return
    if label == UPLOAD:
        item_id, body = _valid_upload()
        case.path_parameters, case.query, case.media_type = {"item_id": item_id}, {}, "multipart/form-data"
        case.body = body
    else:
        evidence = _waiting_evidence()
        case.path_parameters, case.query, case.media_type = {"evidence_id": evidence["id"]}, {}, "application/json"
        case.body = {"decision": "approved", "version": evidence["version"], "comment": "Fuzzing"}
