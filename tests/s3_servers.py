"""The S3 servers the tests use: moto (always, in-process) and a real one, OpenStack Swift with s3api
(when S3_TEST_ENDPOINT_URL is set; set but not answering is a failure, never a skip). Start Swift with

    eval "$(bash scripts/s3-swift.sh start /tmp/minhchung-swift)"
"""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

SWIFT_ENDPOINT = os.environ.get("S3_TEST_ENDPOINT_URL", "").strip()


@dataclass(frozen=True)
class S3Target:
    name: str
    endpoint_url: str
    access_key: str
    secret_key: str
    region: str


# -- servers ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def moto_target() -> Iterator[S3Target]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    _, port = server.get_host_and_port()
    yield S3Target("moto", f"http://127.0.0.1:{port}", "testing", "testing", "us-east-1")
    server.stop()


@pytest.fixture(scope="session")
def swift_target() -> S3Target:
    url = SWIFT_ENDPOINT.rstrip("/")
    try:
        urllib.request.urlopen(url + "/", timeout=5).close()
    except urllib.error.HTTPError:
        pass  # any HTTP answer (403 for an anonymous request) means the server is up
    except OSError as exc:
        pytest.fail(
            f"S3_TEST_ENDPOINT_URL={url} is set but the server does not answer ({exc}). Start it with "
            '`eval "$(bash scripts/s3-swift.sh start DIR)"` or unset S3_TEST_ENDPOINT_URL.',
            pytrace=False,
        )
    return S3Target(
        "swift",
        url,
        os.environ.get("S3_TEST_ACCESS_KEY", "test:tester"),
        os.environ.get("S3_TEST_SECRET_KEY", "testing"),
        os.environ.get("S3_TEST_REGION", "us-east-1"),
    )
