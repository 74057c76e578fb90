"""Every main page on a phone (390×844) and on the office PC (1366×768), in Debian's Chromium (issue 14): no page
scrolls sideways on the phone, the header stays small with its menu folded, each role starts on its own page, the
review page keeps its decision in view, and key hints show only where there is a keyboard.

Screenshots of the main pages are written to $SCREENSHOTS_DIR (default: the test's temporary directory).
Run with `pytest -m browser` (needs /usr/bin/chromium)."""

from __future__ import annotations

import os
import threading
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from checklists import CATALOG_DIR
from evidence_app.catalog.models import Area, ChecklistItem, Criterion, Index
from evidence_app.evidence.models import Evidence
from evidence_app.evidence.operations import DocumentFields, upload_document
from evidence_app.evidence.reading.models import DocumentReading
from evidence_app.extensions import db
from evidence_app.models import User
from evidence_app.review.operations import decide
from tests.browser import axe
from tests.conftest import build_app, reset_database
from tests.evidence import corpus
from tests.helpers import PASSWORD, import_file, make_unit, make_user

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1366, "height": 768}}
LONG_NAME = "Báo cáo kết quả thực hiện công tác cải cách hành chính quý I năm 2024 của UBND phường (bản ký số).pdf"


@pytest.fixture(scope="module")
def site(tmp_path_factory, server_database_url):
    tmp_path = tmp_path_factory.mktemp("phone")
    if server_database_url:
        reset_database(server_database_url)
    database_url = server_database_url or f"sqlite:///{tmp_path / 'phone.sqlite3'}"
    app = build_app(tmp_path, database_url, TODAY=date(2024, 6, 1))
    ids = {}
    with app.app_context():
        db.create_all()
        ward = make_unit()
        for path in sorted((CATALOG_DIR / "gieng-day").glob("*.yaml")):
            import_file(path, ward)
        other = make_unit("bai-chay", "UBND phường Bãi Cháy")
        for path in sorted((CATALOG_DIR / "gieng-day").glob("*.yaml")):
            import_file(path, other)
        staff = make_user(ward, "cb-vp-tk", departments=["vp-tk", "tu-phap", "vh-tt", "tc-kt", "mot-cua"])
        reviewer = make_user(ward, "reviewer", role="reviewer")
        make_user(ward, "admin", role="admin")
        make_user(make_unit("quang-ninh", "UBND tỉnh Quảng Ninh"), "tinh", role="province")
        items = db.session.execute(select(ChecklistItem).where(ChecklistItem.unit_id == ward.id)).scalars().all()
        uploads = []
        for n, item in enumerate(items[:6]):
            name = LONG_NAME if n == 0 else f"Tài liệu {n}.pdf"
            path = corpus.pdf(tmp_path, name, pages=1 + n % 2)
            fields = DocumentFields(number=f"{n + 10}/BC-UBND", summary="Báo cáo định kỳ " * 6)
            uploads.append(upload_document(path, path.name, user=staff, items=[item], fields=fields).new_links[0])
        decide(uploads[1], reviewer, "approved", expected_version=uploads[1].version)
        decide(
            uploads[2],
            reviewer,
            "changes_requested",
            expected_version=uploads[2].version,
            reason_code="incomplete",
            comment="Thiếu phụ lục số liệu kèm theo báo cáo",
        )
        db.session.add(  # what was read from the first document: the pages show it beside what was typed
            DocumentReading(
                document_id=uploads[0].document_id,
                status="done",
                method="text",
                pages=1,
                text="…",
                proposals={
                    "number": "35/BC-UBND",
                    "issue_date": "2024-03-12",
                    "issuer": "UỶ BAN NHÂN DÂN THÀNH PHỐ HẠ LONG",
                    "summary": "Báo cáo kết quả thực hiện công tác cải cách hành chính quý I năm 2024",
                    "doc_type": "BÁO CÁO",
                    "signer": "Nguyễn Văn An",
                    "signer_position": "CHỦ TỊCH",
                },
                signatures=[
                    {
                        "signer": "Nguyễn Văn An",
                        "organisation": "UBND phường Giếng Đáy",
                        "intact": True,
                        "modified_after": False,
                        "chain": "unknown",
                    }
                ],
                read_at=datetime(2024, 5, 20, 3, tzinfo=UTC),
            )
        )
        db.session.commit()
        item = items[0]
        ids.update(
            item=item.id,
            document=uploads[0].document_id,
            evidence=uploads[0].id,
            index=db.session.execute(select(Index.id).where(Index.unit_id == ward.id)).scalars().first(),
            area=db.session.execute(select(Area.id).join(Index).where(Index.unit_id == ward.id)).scalars().first(),
            criterion=item.criterion_id,
            user=db.session.execute(select(User.id).where(User.username == "cb-vp-tk")).scalar_one(),
        )
        assert db.session.get(Evidence, ids["evidence"]).state == "submitted"
        assert db.session.get(Criterion, ids["criterion"]) is not None
        db.session.remove()
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}", ids
    http.shutdown()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("SCREENSHOTS_DIR") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def signed_in(browser, base: str, username: str, size: dict):
    context = browser.new_context(locale="vi-VN", **size)
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("load")
    return context, page


PAGES = {  # the main pages of each role
    "cb-vp-tk": [
        "/my",
        "/my?due=overdue",
        "/my?state=approved",
        "/catalog/",
        "/catalog/{index}",
        "/catalog/areas/{area}",
        "/catalog/criteria/{criterion}",
        "/items/{item}",
        "/documents/{document}",
        "/documents/{document}/edit",
        "/reports/?as_of=2024-06-01",
        "/account/password",
        "/account/tokens/",
    ],
    "reviewer": ["/review/", "/review/{evidence}", "/my", "/reports/?as_of=2024-06-01"],
    "admin": [
        "/reports/?as_of=2024-06-01",
        "/admin/users",
        "/admin/users/{user}",
        "/admin/users/new",
        "/admin/audit",
        "/admin/proposals",
        "/admin/results",
        "/admin/rubric",
        "/reports/selfassessment/{index}?as_of=2024-06-01",
        "/review/",
    ],
    "tinh": ["/reports/province?as_of=2024-06-01", "/reports/units/bai-chay/?as_of=2024-06-01", "/units/"],
}
HOMES = {"cb-vp-tk": "/my", "reviewer": "/review/", "admin": "/reports/", "tinh": "/reports/province"}


@pytest.mark.parametrize("username", list(PAGES))
def test_no_page_scrolls_sideways_on_a_phone(site, browser, username):
    base, ids = site
    context, page = signed_in(browser, base, username, PHONE)
    assert page.url.split("?")[0] == base + HOMES[username], "each role starts on its own page"
    too_wide = []
    for template in PAGES[username]:
        page.goto(base + template.format(**ids))
        page.wait_for_load_state("load")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            culprits = page.evaluate(  # what overflows without scrolling itself (a table-wrap scrolls)
                """() => [...document.querySelectorAll('main *, header *')]
                  .filter(e => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === 'visible')
                  .slice(0, 4).map(e => e.tagName + '.' + e.className + ' ' + e.scrollWidth)"""
            )
            too_wide.append((template, width, culprits))
        header = page.evaluate("document.querySelector('.topbar').getBoundingClientRect().height")
        assert header <= 120, f"{template}: the header takes {header}px"
    context.close()
    assert too_wide == []


def test_the_login_page_fits_a_phone(site, browser):
    base, _ids = site
    context = browser.new_context(locale="vi-VN", **PHONE)
    page = context.new_page()
    page.goto(f"{base}/login")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()


def test_the_phone_menu_folds_and_opens_without_script(site, browser):
    base, _ids = site
    context = browser.new_context(locale="vi-VN", java_script_enabled=False, **PHONE)
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("#username", "reviewer")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/review/")
    menu = page.locator("details.phone-menu")
    assert not page.locator(".menu-links").is_visible()
    assert page.locator(".mainnav").is_hidden(), "the wide menu is not shown on a phone"
    menu.locator("summary").click()
    assert page.locator(".menu-links a", has_text="Duyệt").is_visible()
    assert page.locator(".menu-panel", has_text="Đăng xuất").is_visible()
    assert page.locator("summary .badge").inner_text() == "4", "the number of documents waiting"
    context.close()


def test_my_work_is_cards_on_a_phone_and_a_table_on_a_pc(site, browser, shots):
    base, _ids = site
    for name, size in (("phone", PHONE), ("pc", DESKTOP)):
        context, page = signed_in(browser, base, "cb-vp-tk", size)
        row = page.locator("#my-work tbody tr").first
        display = row.evaluate("e => getComputedStyle(e).display")
        assert display == ("block" if name == "phone" else "table-row")
        title = page.locator("#my-work tbody td.card-title").first.bounding_box()
        assert title["width"] >= (300 if name == "phone" else 400), "the title is readable, not one word a line"
        assert page.locator("#approved").get_attribute("open") is None, "approved items are folded away"
        assert "đã duyệt" in page.inner_text("#progress")
        page.screenshot(path=str(shots / f"my-work-{name}.png"), full_page=False)
        page.click("#reminders a.flash-error >> nth=0")
        page.wait_for_load_state("load")
        assert "due=overdue" in page.url or "state=changes_requested" in page.url
        context.close()


def test_the_review_queue_and_page(site, browser, shots):
    base, ids = site
    for name, size in (("phone", PHONE), ("pc", DESKTOP)):
        context, page = signed_in(browser, base, "reviewer", size)
        page.screenshot(path=str(shots / f"reviewer-home-{name}.png"), full_page=False)
        page.goto(f"{base}/review/")
        page.screenshot(path=str(shots / f"review-queue-{name}.png"), full_page=False)
        page.goto(f"{base}/review/{ids['evidence']}")
        page.wait_for_load_state("load")
        approve = page.locator("#approve").bounding_box()
        height = size["viewport"]["height"]
        hints = page.locator(".key-hints")
        page.screenshot(path=str(shots / f"review-page-{name}-top.png"), full_page=False)
        if name == "pc":
            assert 0 <= approve["y"] and approve["y"] + approve["height"] <= height, "the decision is in view"
            page.mouse.wheel(0, 2000)
            page.wait_for_timeout(200)
            approve = page.locator("#approve").bounding_box()
            assert 0 <= approve["y"] and approve["y"] + approve["height"] <= height, "and stays in view"
            assert hints.is_visible(), "a keyboard: the keys are shown"
        else:
            assert hints.is_hidden() and page.locator("kbd").first.is_hidden(), "a touch screen: no key hints"
            for scroll in (0, 1200, 5000):  # at the top, inside the metadata, at the very end
                page.evaluate(f"window.scrollTo(0, {scroll})")
                page.wait_for_timeout(100)
                for control in ("#approve", "#reason", "#send-back"):
                    box = page.locator(control).bounding_box()
                    assert box["y"] >= 0 and box["y"] + box["height"] <= height, f"{control} in view at {scroll}px"
            bar = page.locator("#decision-form").bounding_box()
            assert bar["height"] <= 90, f"the decision bar takes {bar['height']}px of the phone's screen"
            assert page.locator("#comment").is_hidden()
            page.select_option("#reason", index=1)
            assert page.locator("#comment").is_visible(), "a reason chosen: the comment opens"
        page.screenshot(path=str(shots / f"review-page-{name}.png"), full_page=False)
        context.close()


def test_the_province_home(site, browser, shots):
    base, _ids = site
    for name, size in (("phone", PHONE), ("pc", DESKTOP)):
        context, page = signed_in(browser, base, "tinh", size)
        assert page.url.startswith(f"{base}/reports/province")
        assert page.locator("#league-xlsx").is_visible()
        page.screenshot(path=str(shots / f"province-home-{name}.png"), full_page=False)
        page.click("table.league a >> nth=0")
        page.wait_for_load_state("load")
        assert "/reports/units/" in page.url and "Báo cáo" in page.inner_text("h1")
        page.screenshot(path=str(shots / f"province-unit-{name}.png"), full_page=False)
        context.close()


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["390x844", "1366x768"])
@pytest.mark.parametrize("username", list(PAGES))
def test_no_page_has_a_serious_accessibility_violation(site, browser, username, size):
    base, ids = site
    context, page = signed_in(browser, base, username, size)
    found = {}
    for template in PAGES[username]:
        page.goto(base + template.format(**ids))
        page.wait_for_load_state("load")
        if problems := axe.serious_violations(page):
            found[template] = problems
    context.close()
    assert found == {}


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["390x844", "1366x768"])
def test_the_login_page_has_no_serious_accessibility_violation(site, browser, size):
    base, _ = site
    context = browser.new_context(locale="vi-VN", **size)
    page = context.new_page()
    page.goto(f"{base}/login")
    assert axe.serious_violations(page) == []
    context.close()


def test_what_was_read_from_a_document_beside_what_was_typed(site, browser, shots):
    base, ids = site
    for name, size in (("phone", PHONE), ("pc", DESKTOP)):
        context, page = signed_in(browser, base, "cb-vp-tk", size)
        page.goto(f"{base}/documents/{ids['document']}")
        section = page.locator("#reading")
        assert "Đã ký số bởi Nguyễn Văn An (UBND phường Giếng Đáy), nguyên vẹn" in section.inner_text()
        assert "sai đơn vị" in section.locator(".prechecks").inner_text().lower()
        assert "35/BC-UBND" in section.locator("table.proposals").inner_text()
        section.scroll_into_view_if_needed()
        page.screenshot(path=str(shots / f"document-reading-{name}.png"), full_page=False)
        page.click("#use-proposals")
        page.wait_for_load_state("load")
        assert page.input_value("#number") == "35/BC-UBND" and page.input_value("#issue_date") == "12/03/2024"
        page.goto(f"{base}/items/{ids['item']}")
        assert "UỶ BAN NHÂN DÂN THÀNH PHỐ HẠ LONG" in page.inner_text(".doclist")
        context.close()
