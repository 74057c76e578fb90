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
