"""The checks of scripts/production-recipe.sh, through HTTP as a browser behind nginx would make them: both servers
ready, a sign-in on the first, an upload there, and the same file downloaded from the second (the servers share
nothing but PostgreSQL, the S3 store and the secret key).

    python scripts/production_checks.py URL_A URL_B USERNAME PASSWORD OWNER_DATABASE_URL

Standard library and the app's own dependencies only (pypdf for the file, psycopg to find an item)."""

from __future__ import annotations

import hashlib
import io
import json
import re
import sys
import time
import urllib.error
import urllib.request
import uuid

import psycopg
from pypdf import PdfWriter

PROXY = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}  # what nginx adds (MINHCHUNG_PROXY_COUNT=1)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


opener = urllib.request.build_opener(NoRedirect)


class Browser:
    """Cookies by hand: the session cookie is Secure, and this talks plain HTTP to gunicorn as nginx does."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def request(self, url: str, data: bytes | None = None, headers: dict | None = None) -> tuple[int, dict, bytes]:
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        headers = {**PROXY, **(headers or {}), "Cookie": cookie}
        if data is not None:  # a browser names the page the form came from; over HTTPS, Flask-WTF checks it
            headers["Referer"] = url.replace("http://", "https://", 1)
        request = urllib.request.Request(url, data=data, headers=headers)
        try:
            response = opener.open(request, timeout=60)
        except urllib.error.HTTPError as error:  # 3xx (not followed) and 4xx/5xx
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response.status, dict(response.headers), response.read()

    def csrf(self, url: str) -> str:
        status, _, body = self.request(url)
        assert status == 200, f"GET {url}: {status}"
        return re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', body).group(1).decode()


def multipart(fields: dict[str, str], file_field: str, filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{filename}"\r\n'
        f"Content-Type: application/pdf\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def main(url_a: str, url_b: str, username: str, password: str, owner_url: str) -> None:
    for url in (url_a, url_b):
        status, _, body = Browser().request(f"{url}/readyz")
        ready = json.loads(body)
        assert status == 200 and ready["status"] == "ready", f"{url}/readyz: {status} {ready}"
        print(f"ready: {url} {json.dumps(ready['checks'])}")

    browser = Browser()
    token = browser.csrf(f"{url_a}/login")
    form = urllib.parse.urlencode({"csrf_token": token, "username": username, "password": password}).encode()
    status, headers, _ = browser.request(f"{url_a}/login", form, {"Content-Type": "application/x-www-form-urlencoded"})
    assert status in (302, 303) and "/login" not in headers.get("Location", ""), f"sign-in: {status} {headers}"
    print(f"signed in on {url_a} as {username}")

    with psycopg.connect(owner_url) as db:
        item_id = db.execute(
            "SELECT id FROM checklist_items WHERE report_deadline IS NULL ORDER BY id LIMIT 1"
        ).fetchone()[0]
    pdf = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_metadata({"/Title": f"Kế hoạch {uuid.uuid4().hex}"})  # bytes no earlier run stored
    writer.write(pdf)
    content = pdf.getvalue()
    token = browser.csrf(f"{url_a}/items/{item_id}")
    body, content_type = multipart(
        {"csrf_token": token, "number": "100/KH-UBND", "summary": "Kế hoạch cải cách hành chính"},
        "files",
        "Kế hoạch.pdf",
        content,
    )
    status, headers, page = browser.request(f"{url_a}/items/{item_id}/upload", body, {"Content-Type": content_type})
    assert status == 303, f"upload: {status} {page[:500]!r}"
    with psycopg.connect(owner_url) as db:
        document_id = db.execute(
            "SELECT id FROM documents WHERE sha256 = %s", (hashlib.sha256(content).hexdigest(),)
        ).fetchone()[0]
    print(f"uploaded on {url_a}: document {document_id} ({len(content)} bytes)")

    status, headers, body = browser.request(f"{url_b}/documents/{document_id}/download")
    if status in (302, 303):  # the store's own address, signed for a short time
        status, headers, body = Browser().request(headers["Location"])
    assert status == 200 and body == content, f"download from {url_b}: {status}, {len(body)} bytes"
    print(f"downloaded from {url_b}: the same {len(body)} bytes")

    for _ in range(120):  # the reading worker (RQ on Redis) takes the document from the store
        status, _, body = browser.request(f"{url_b}/documents/{document_id}/reading")
        reading = json.loads(body)["status"] if status == 200 else None
        if reading != "pending":
            break
        time.sleep(0.5)
    assert reading == "done", f"reading of document {document_id}: {status} {body[:300]!r}"
    print(f"read by the worker: document {document_id} ({reading})")


if __name__ == "__main__":
    import urllib.parse

    main(*sys.argv[1:6])
