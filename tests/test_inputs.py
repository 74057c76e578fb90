"""Issue 13, finding 10: input that used to end in a 500 is refused with a 400 or 404 and a message."""

from __future__ import annotations

import pytest

from evidence_app.catalog.models import Measurement
from evidence_app.extensions import db
from tests.api.test_api import Api, criterion_id
from tests.helpers import login


def test_a_nul_character_in_the_sign_in_form_is_a_400_not_a_500(client, ward):
    response = client.post("/login", data={"username": "cb-vp-tk\x00", "password": "x"})
    assert response.status_code == 400 and "NUL" in response.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/catalog/?q=a%00b", "/review/?index=1%00"])
def test_a_nul_character_in_a_query_is_a_400(client, ward, url):
    login(client, "reviewer")
    assert client.get(url).status_code == 400


@pytest.mark.parametrize("path", ["/items/{}", "/documents/{}", "/catalog/criteria/{}", "/review/{}"])
def test_an_id_beyond_the_database_integers_is_not_found(client, ward, path):
    login(client, "reviewer")
    assert client.get(path.format(2**31)).status_code == 404
    assert client.get(path.format(10**30)).status_code == 404


def test_json_nested_too_deep_or_too_large_is_refused_not_a_500(app, ward):
    staff = Api(app, "cb-vh-tt")
    url = f"/api/v1/criteria/{criterion_id('1.2')}/measurements"
    headers = {**staff.headers, "Content-Type": "application/json"}
    deep = '{"numerator":' + "[" * 5000 + "]" * 5000 + "}"
    answer = staff.client.post(url, data=deep, headers=headers)
    assert answer.status_code == 400 and answer.json["error"]["code"] == "bad_json"
    huge = '{"numerator":' + "[" * 100_000 + "]" * 100_000 + "}"
    answer = staff.client.post(url, data=huge, headers=headers)
    assert answer.status_code == 413 and answer.json["error"]["code"] == "too_large"
    assert db.session.query(Measurement).count() == 0


@pytest.mark.parametrize("text", ["\\ud800x", "a\\u0001b", "a\\u0000b"])
def test_a_lone_surrogate_or_control_character_in_json_text_is_a_422(app, ward, text):
    staff = Api(app, "cb-vh-tt")
    url = f"/api/v1/criteria/{criterion_id('1.2')}/measurements"
    body = '{"numerator": 1, "measured_on": "2024-05-31", "source": "' + text + '"}'
    answer = staff.client.post(url, data=body, headers={**staff.headers, "Content-Type": "application/json"})
    assert (
        answer.status_code == 422 and "control characters" in answer.json["error"]["fields"]["source"][0]["message_en"]
    )
    assert db.session.query(Measurement).count() == 0


def test_a_control_character_in_a_form_is_a_400(client, ward):
    response = client.post("/login", data={"username": "cb-vp-tk\x01", "password": "x"})
    assert response.status_code == 400


def test_every_api_operation_documents_the_400_of_a_control_character_in_its_query(app, ward):
    spec = app.test_client().get("/api/v1/openapi.json").json
    undocumented = [
        f"{method.upper()} {path}"
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        if "400" not in operation["responses"]
    ]
    assert undocumented == []
    answer = Api(app, "reviewer").get("/report?as_of=%17")
    assert answer.status_code == 400 and answer.json["error"]["code"] == "bad_request"


BIG = str(10**30)  # beyond 64 bits


@pytest.mark.parametrize(
    "username,url",
    [
        ("reviewer", f"/review/?index={BIG}&area=²"),
        ("admin", f"/admin/audit?user={BIG}"),
        ("admin", f"/admin/audit?document={BIG}"),
        ("admin", f"/admin/proposals?index={BIG}"),
    ],
)
def test_an_id_beyond_64_bits_or_not_a_number_in_a_page_query_is_ignored(client, ward, username, url):
    login(client, username)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("raw", [BIG, "²", "-1", "0"])
def test_an_id_beyond_64_bits_or_not_a_number_in_an_api_query_is_a_422(app, ward, raw):
    answer = Api(app, "reviewer").get(f"/review/queue?index={raw}")
    assert answer.status_code == 422 and answer.json["error"]["fields"]["index"]


def test_an_id_beyond_64_bits_in_a_form_is_not_found_or_skipped(client, ward):
    from tests.api.test_api import item_id

    login(client, "reviewer")
    assert client.post(f"/items/{item_id('CCHC-1.2-a')}/link", data={"document_id": BIG}).status_code == 404
    for selected in (f"{BIG}:1", "1:" + BIG, "²:1", "1:²"):
        assert client.post("/review/bulk", data={"selected": selected}).status_code == 303


def test_a_results_apply_without_its_year_or_with_a_year_beyond_2100_is_a_400(client, ward):
    login(client, "admin")
    assert client.post("/admin/results/apply", data={}).status_code == 400
    apply = {"filename": "kq.csv", "content": "", "index_code": "CCHC", "year": BIG}
    assert client.post("/admin/results/apply", data=apply).status_code == 400


def test_an_id_beyond_64_bits_in_any_api_path_is_not_found(app, ward):
    admin = Api(app, "admin")
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or not rule.arguments:
            continue
        url = rule.rule.removeprefix("/api/v1")
        for argument in rule.arguments:
            url = url.replace(f"<int:{argument}>", BIG)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            answer = getattr(admin, method.lower())(url, json={})
            assert answer.status_code == 404 and answer.json["error"]["message"], (method, url)


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "31/02/2026"])
def test_as_of_outside_the_years_of_reports_is_refused_with_a_message(app, client, ward, day):
    login(client, "admin")
    for url in ("/reports/", "/reports/download?format=csv&", "/reports/province"):
        answer = client.get(f"{url}{'&' if '?' in url else '?'}as_of={day}".replace("?&", "?").replace("&&", "&"))
        assert answer.status_code in (400, 403), url
        if answer.status_code == 400:
            assert day in answer.get_data(as_text=True), url
    answer = client.post("/reports/pack", data={"as_of": day})
    assert answer.status_code == 400 and day in answer.get_data(as_text=True)
    answer = Api(app, "admin").get(f"/report?as_of={day}")
    assert answer.status_code == 422 and answer.json["error"]["fields"]["as_of"]


HUGE = ["1e400", "-1e400", "9999999999999999999999", "1" + "0" * 5000, "1e-400"]


@pytest.mark.parametrize("number", HUGE)
def test_a_huge_number_in_any_numeric_json_field_is_a_4xx_with_a_message(app, ward, number):
    reviewer, criterion = Api(app, "reviewer"), criterion_id("2.1")
    headers = {**reviewer.headers, "Content-Type": "application/json"}
    writes = [
        (
            f"/criteria/{criterion}/measurements",
            "post",
            '{"numerator": %s, "measured_on": "2024-05-31", "source": "x"}',
        ),
        (
            f"/criteria/{criterion}/measurements",
            "post",
            '{"numerator": 1, "denominator": %s, "measured_on": "2024-05-31", "source": "x"}',
        ),
        (f"/criteria/{criterion}/self-score", "put", '{"score": %s}'),
        ("/items/1/links", "post", '{"document_id": %s}'),
        ("/evidence/1/decision", "post", '{"decision": "approved", "version": %s}'),
    ]
    for url, method, body in writes:
        answer = getattr(reviewer.client, method)("/api/v1" + url, data=body % number, headers=headers)
        assert 400 <= answer.status_code < 500 and answer.json["error"]["message"], (url, body)
    assert db.session.query(Measurement).count() == 0


@pytest.mark.parametrize("number", ["12\x00/KH-UBND", "12\x01/KH-UBND"])
def test_a_control_character_in_an_uploads_fields_is_a_422_with_a_message(app, client, ward, tmp_path, number):
    from evidence_app.evidence.models import Document
    from tests.api.test_api import item_id, upload
    from tests.evidence import corpus

    login(client, "cb-vh-tt")
    with open(corpus.pdf(tmp_path), "rb") as f:
        page = client.post(
            f"/items/{item_id('CCHC-1.2-a')}/upload",
            data={"files": (f, "ke-hoach.pdf"), "number": number},
            content_type="multipart/form-data",
        )
    assert page.status_code == 422 and "NUL" in page.get_data(as_text=True)
    answer = upload(Api(app, "cb-vh-tt"), tmp_path, number=number)
    assert answer.status_code == 422 and "NUL" in answer.json["error"]["fields"]["number"][0]["message_en"]
    assert db.session.query(Document).count() == 0


@pytest.mark.parametrize("year", ["9" * 400, "２０２４", "20245"])
def test_a_year_of_too_many_digits_is_a_message_not_a_500(client, ward, year):
    """Found by tests/test_form_fuzz.py in CI: IntegerField + NumberRange raised OverflowError on 400 digits."""
    login(client, "admin")
    response = client.post("/admin/results", data={"index_code": "CCHC", "year": year})
    assert response.status_code < 500
    assert "bốn chữ số" in response.get_data(as_text=True)
