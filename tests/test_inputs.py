"""Issue 13, finding 10: input that used to end in a 500 is refused with a 400 or 404 and a message."""

from __future__ import annotations

import pytest

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
