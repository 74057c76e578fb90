"""The report on paper, in a real browser (Debian's Chromium, headless, driven by Playwright): the leader opens the
report, finds the "In" button, prints the one-page executive summary (rendered to PDF: exactly one A4 portrait
page, letterhead to signature, with the demo ward's 68 criteria at risk cut to ten) and the full report (A4
landscape, the signature not alone on the last page).

Run with `pytest -m browser tests/reports/test_print.py` (needs /usr/bin/chromium). Screenshots and the printed
PDFs are written to $PRINT_SHOTS when set (to look at them), else to the test's temporary directory."""

from __future__ import annotations

import io
import os
import threading
from pathlib import Path

import pytest
from pypdf import PdfReader
from werkzeug.serving import make_server

from checklists import CATALOG_DIR
from evidence_app.extensions import db
from tests.browser.test_workflow import CHROMIUM, CHROMIUM_ARGS, sign_in
from tests.conftest import build_app, reset_database
from tests.helpers import import_file, make_unit, make_user

pytestmark = pytest.mark.browser

A4 = (595, 842)  # points, portrait
AS_OF = "01/06/2024"


@pytest.fixture
def server(tmp_path, server_database_url):
    """The demo ward's rubric (CCHC and QN-DTI, 84 criteria, nothing provided yet: most of them at risk)."""
    if server_database_url:
        reset_database(server_database_url)
    app = build_app(tmp_path, server_database_url or f"sqlite:///{tmp_path / 'print.sqlite3'}")
    with app.app_context():
        db.create_all()
        unit = make_unit()
        for path in sorted((CATALOG_DIR / "gieng-day").glob("*.yaml")):
            import_file(path, unit)
        make_user(unit, "chu-tich", role="admin")
        db.session.remove()
    http = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=http.serve_forever, daemon=True).start()
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


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("PRINT_SHOTS") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def printed(page, path: Path) -> PdfReader:
    """The page as the browser prints it: its own @page size and margins, backgrounds as on screen."""
    path.write_bytes(page.pdf(prefer_css_page_size=True, print_background=True))
    return PdfReader(io.BytesIO(path.read_bytes()))


def size(pdf_page) -> tuple[int, int]:
    box = pdf_page.mediabox
    return round(float(box.width)), round(float(box.height))


def test_the_one_page_summary_and_the_full_report_print_from_the_in_button(server, browser, shots):
    base = server
    errors: list[str] = []
    for width, height in ((390, 844), (1366, 768)):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        sign_in(page, base, "chu-tich")
        page.goto(f"{base}/reports/?as_of={AS_OF}")
        page.click("#print-menu summary")  # the "In" button opens the two choices
        assert page.is_visible("text=Tóm tắt một trang (A4 dọc)")
        assert page.is_visible("text=Báo cáo đầy đủ (A4 ngang)")  # shown by print.js
        page.screenshot(path=str(shots / f"report-{width}x{height}.png"))
        assert page.evaluate("document.documentElement.scrollWidth") <= width, "no horizontal scrolling"
        context.close()

    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    # the print dialog is the browser's own: count its openings, then print with page.pdf
    context.add_init_script("window.prints = 0; window.print = () => { window.prints += 1; };")
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, base, "chu-tich")
    page.goto(f"{base}/reports/?as_of={AS_OF}")
    page.click("#print-menu summary")
    page.click("text=Báo cáo đầy đủ (A4 ngang)")
    assert page.evaluate("window.prints") == 1
    with page.expect_navigation():
        page.click("text=Tóm tắt một trang (A4 dọc)")
    assert "/reports/summary" in page.url and "print=1" in page.url
    page.wait_for_function("window.prints === 1")  # the summary opens the print dialog once loaded

    summary = printed(page, shots / "summary.pdf")
    assert len(summary.pages) == 1, f"the summary printed on {len(summary.pages)} pages"
    assert size(summary.pages[0]) == A4
    text = " ".join(summary.pages[0].extract_text().split())
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "UBND PHƯỜNG GIẾNG ĐÁY",
        "Ngày 01 tháng 6 năm 2024",
        "BÁO CÁO TÓM TẮT",
        "86,34",  # CCHC last year, beside this year's expected
        "và 58 tiêu chí khác",  # 68 at risk, ten on the page
        "Văn phòng – Thống kê",  # the department furthest behind
        "CHỦ TỊCH",  # the signature block, on the same page
    ):
        assert expected in text, (expected, text)

    page.goto(f"{base}/reports/?as_of={AS_OF}")
    full = printed(page, shots / "full-report.pdf")
    assert all(size(p) == A4[::-1] for p in full.pages), "A4 landscape"
    first = " ".join(full.pages[0].extract_text().split())
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in first and "Minh Chứng" not in first  # no menu on paper
    last = " ".join(full.pages[-1].extract_text().split())
    assert "CHỦ TỊCH" in last
    assert len(last.split("CHỦ TỊCH")[0].split()) > 20, f"the signature is alone on the last page: {last!r}"
    assert errors == [], errors
    context.close()


def test_the_html_export_prints_with_the_same_stylesheet(server, browser, shots):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    page = context.new_page()
    sign_in(page, server, "chu-tich")
    export = page.request.get(f"{server}/reports/download?format=html&as_of=2024-06-01")
    path = shots / "export.html"
    path.write_bytes(export.body())
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(path.as_uri())
    assert requests == [path.as_uri()], "the export fetches nothing"
    widths = page.eval_on_selector(
        ".doc-criteria", "table => [...table.querySelectorAll('th')].map(c => c.getBoundingClientRect().width)"
    )
    assert len(widths) == 11 and min(widths) >= 40, widths  # eleven readable columns
    pdf = printed(page, shots / "export.pdf")
    assert all(size(p) == A4[::-1] for p in pdf.pages)
    assert "CHỦ TỊCH" in pdf.pages[-1].extract_text()
    context.close()
