"""Issue 14 in a real browser, at a phone's 390×844 and the office PC's 1366×768: staff uploads two files and the
page opens at the confirmation with the new evidence in view; the reviewer sends one back for its details; staff
corrects them and sends it again (a new version, in view again); the reviewer approves it.

Screenshots go to $MINHCHUNG_SCREENSHOTS when set (else the test's temporary directory).
Run with `pytest -m browser tests/browser/test_upload_loop.py`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.test_workflow import browser, open_item, server, sign_in  # noqa: F401 (fixtures)
from tests.evidence import corpus

pytestmark = pytest.mark.browser


def in_view(page, selector: str) -> bool:
    """Whether the top of the element is on the screen as it is scrolled now."""
    return page.evaluate(
        "s => { const r = document.querySelector(s).getBoundingClientRect();"
        " return r.top >= 0 && r.top < window.innerHeight; }",
        selector,
    )


@pytest.mark.parametrize("width,height", [(390, 844), (1366, 768)])
def test_upload_confirmed_sent_back_corrected_approved(server, browser, tmp_path, width, height):  # noqa: F811
    base = server
    shots = Path(os.environ.get("MINHCHUNG_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    pdf = corpus.pdf(tmp_path, "Báo cáo số hoá quý 1.pdf", pages=2)
    photo = corpus.jpeg(tmp_path, "IMG_0002.JPG", size=(1200, 900))

    staff = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
    page = staff.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    sign_in(page, base, "cb-vp-tk")
    open_item(page, base, "CCHC-2.1-a")
    page.set_input_files("#files", [str(pdf), str(photo)])
    page.fill("#number", "45/TK-UBN")  # a typo the reviewer will send back
    page.click("#upload-form button[type=submit]")
    page.wait_for_url("**/items/*?uploaded=*#upload-outcome")
    page.wait_for_selector("#upload-outcome")
    banner = page.inner_text("#upload-outcome")
    assert "Đã tải lên 2 tệp — chờ duyệt" in banner
    assert "Báo cáo số hoá quý 1.pdf" in banner and "IMG_0002.JPG" in banner
    assert in_view(page, "#upload-outcome") and in_view(page, "#evidence-list li.just-uploaded")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "no sideways scrolling"
    page.screenshot(path=str(shots / f"upload-confirmation-{width}x{height}.png"))

    reviewer_context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    review = reviewer_context.new_page()
    review.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(review, base, "reviewer")
    review.goto(f"{base}/review/")
    review.click("text=Báo cáo số hoá quý 1.pdf")
    review.wait_for_selector("#decision-form")
    review.select_option("#reason", "other")
    review.fill("#comment", "Số hiệu sai: phải là 45/TK-UBND")
    review.click("#send-back")
    review.wait_for_selector("text=Đã trả lại: Báo cáo số hoá quý 1.pdf")

    open_item(page, base, "CCHC-2.1-a")
    assert "cần bổ sung" in page.inner_text("#evidence-list")
    page.click("text=Sửa và gửi lại")
    page.wait_for_selector("#sent-back")
    assert "Số hiệu sai: phải là 45/TK-UBND" in page.inner_text("#sent-back")
    assert page.input_value("#number") == "45/TK-UBN", "the form holds what the document says"
    page.fill("#number", "45/TK-UBND")
    page.click("form.upload-form button[type=submit]")
    page.wait_for_url("**/items/*?uploaded=*#upload-outcome")
    banner = page.inner_text("#upload-outcome")
    assert "Đã tải lên 1 tệp — chờ duyệt" in banner and "phiên bản mới" in banner
    assert in_view(page, "#upload-outcome") and in_view(page, "#evidence-list li.just-uploaded")
    assert "45/TK-UBND" in page.inner_text("#evidence-list li.just-uploaded")
    assert page.inner_text("#item-state") == "chờ duyệt"
    page.screenshot(path=str(shots / f"corrected-resubmission-{width}x{height}.png"))

    review.goto(f"{base}/review/")
    review.click("text=Báo cáo số hoá quý 1.pdf")
    review.wait_for_selector("#decision-form")
    assert "45/TK-UBND" in review.content()
    review.click("#approve")
    review.wait_for_selector("text=Đã duyệt: Báo cáo số hoá quý 1.pdf")

    open_item(page, base, "CCHC-2.1-a")
    assert page.inner_text("#item-state") == "đã duyệt"
    listed = page.inner_text("#evidence-list")
    assert "cần bổ sung" in listed and "Số hiệu sai" in listed and "đã duyệt" in listed
    assert errors == [], errors
    staff.close()
    reviewer_context.close()
