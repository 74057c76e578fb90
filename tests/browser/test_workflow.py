"""The whole workflow in a real browser (Debian's Chromium, headless, driven by Playwright): staff signs in and
uploads a PDF and a photo with the progress bar; the reviewer sends the PDF back with a reason; staff
resubmits; the reviewer approves by keyboard; the item shows as approved.

Run with `pytest -m browser` (needs /usr/bin/chromium: `apt-get install chromium`)."""

from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from evidence_app.extensions import db
from tests.conftest import build_app, reset_database
from tests.evidence import corpus
from tests.helpers import PASSWORD, import_file, make_unit, make_user

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def server(tmp_path, server_database_url, catalog_dict, write_catalog):
    if server_database_url:
        reset_database(server_database_url)
    database_url = server_database_url or f"sqlite:///{tmp_path / 'browser.sqlite3'}"
    app = build_app(tmp_path, database_url)
    with app.app_context():
        db.create_all()
        unit = make_unit()
        import_file(write_catalog(catalog_dict), unit)
        make_user(unit, "cb-vp-tk", departments=["vp-tk"])
        make_user(unit, "reviewer", role="reviewer")
        db.session.remove()
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}"
    http.shutdown()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: not url.startswith(f"{base}/login"))  # each role's own home page


def open_item(page, base: str, code: str) -> None:
    page.goto(f"{base}/my?q={code}")  # found by search: an approved item is folded away in the full list
    page.click(f"text={code}")
    page.wait_for_selector("#upload-form")


def test_upload_review_resubmit_approve(server, browser, tmp_path):
    base = server
    pdf = corpus.pdf(tmp_path, "Thống kê số hoá quý 1.pdf", pages=2)
    photo = corpus.jpeg(
        tmp_path, "IMG_0001.JPG", size=(1600, 1200), exif=corpus.exif_block(taken="2024:03:15 09:30:00")
    )
    corrected = corpus.pdf(tmp_path, "Thống kê số hoá quý 1 (ký số).pdf", pages=3)

    staff = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")  # a phone screen
    page = staff.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    sign_in(page, base, "cb-vp-tk")
    assert "Việc của tôi" in page.content()
    open_item(page, base, "CCHC-2.1-a")

    # slow the upload down so the progress bar is seen moving
    cdp = staff.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 20, "downloadThroughput": -1, "uploadThroughput": 150 * 1024},
    )
    page.set_input_files("#files", [str(pdf), str(photo)])
    page.fill("#number", "45/TK-UBND")
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#upload-progress:not([hidden])")
    page.wait_for_function("document.querySelector('#upload-progress .label').textContent.endsWith('%')")
    # the page goes to the item's result once both files are accepted: wait for that page, not the one before
    page.wait_for_url(lambda url: "uploaded=" in url)
    page.wait_for_selector("#upload-outcome")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    listed = page.inner_text("#evidence-list")
    assert "Thống kê số hoá quý 1.pdf" in listed and "IMG_0001.JPG" in listed
    assert listed.count("chờ duyệt") == 2
    page.screenshot(path=str(tmp_path / "staff-item.png"), full_page=True)

    # the reviewer sends the PDF back with a coded reason
    reviewer_context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    review = reviewer_context.new_page()
    review.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(review, base, "reviewer")
    review.goto(f"{base}/review/")
    review.click("text=Thống kê số hoá quý 1.pdf")
    review.wait_for_selector("#decision-form")
    assert "Trích xuất từ hệ thống" in review.content()  # the item's acceptance notes beside the document
    review.select_option("#reason", "unsigned")
    review.fill("#comment", "Chưa có chữ ký số của lãnh đạo")
    review.click("#send-back")
    review.wait_for_selector("text=Đã trả lại: Thống kê số hoá quý 1.pdf")
    review.screenshot(path=str(tmp_path / "review.png"), full_page=True)

    # staff sees why, and resubmits
    page.goto(f"{base}/my")
    row = page.inner_text("#my-work")
    assert "chưa ký số — Chưa có chữ ký số của lãnh đạo" in row
    open_item(page, base, "CCHC-2.1-a")
    page.set_input_files("#files", [str(corrected)])
    page.fill("#number", "45/TK-UBND")
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("text=phiên bản mới")

    # the reviewer approves the new version from the keyboard
    review.goto(f"{base}/review/")
    review.click("text=Thống kê số hoá quý 1 (ký số).pdf")
    review.wait_for_selector("#decision-form")
    review.keyboard.press("a")
    review.wait_for_selector("text=Đã duyệt: Thống kê số hoá quý 1 (ký số).pdf")

    # the item shows as approved, and the earlier version and its review are still there
    open_item(page, base, "CCHC-2.1-a")
    assert page.inner_text("#item-state") == "đã duyệt"
    listed = page.inner_text("#evidence-list")
    assert "cần bổ sung" in listed and "chưa ký số" in listed and "đã duyệt" in listed
    page.goto(f"{base}/my")
    assert "CCHC-2.1-a" not in page.inner_text("#my-work"), "approved: folded away"
    assert "CCHC-2.1-a" in page.text_content("#my-work-approved") and "1/3 đã duyệt" in page.inner_text("#progress")
    assert errors == [], errors
    staff.close()
    reviewer_context.close()
