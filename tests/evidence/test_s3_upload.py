"""The whole upload path on S3: moto always, and the real Swift S3 server when S3_TEST_ENDPOINT_URL is set.
Downloads are presigned URLs that name the file, or streamed through the app when presigning is off."""

from __future__ import annotations

import io
import os
import urllib.request
import uuid

import pytest
from sqlalchemy import select

from evidence_app.catalog.models import ChecklistItem
from evidence_app.evidence.models import Document
from evidence_app.extensions import db
from evidence_app.files import get_storage
from tests.conftest import build_app, reset_database
from tests.evidence import corpus
from tests.helpers import import_file, login, make_unit, make_user
from tests.s3_servers import SWIFT_ENDPOINT


@pytest.fixture(params=["moto"] + (["swift"] if SWIFT_ENDPOINT else []))
def s3_target(request):
    return request.getfixturevalue(f"{request.param}_target")


@pytest.fixture(params=[True, False], ids=["presigned", "streamed"])
def s3_app(request, tmp_path, server_database_url, s3_target, monkeypatch, catalog_dict, write_catalog):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", s3_target.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", s3_target.secret_key)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    bucket = f"mc-{uuid.uuid4().hex[:20]}"
    url = (
        f"s3://{bucket}?endpoint_url={s3_target.endpoint_url}&region={s3_target.region}"
        f"&addressing_style=path&presigned={'true' if request.param else 'false'}&multipart_threshold=5242880"
    )
    if server_database_url:
        reset_database(server_database_url)
    app = build_app(tmp_path, server_database_url, STORAGE_URL=url)
    with app.app_context():
        get_storage().create_bucket_if_missing()
        db.create_all()
        unit = make_unit()
        import_file(write_catalog(catalog_dict), unit)
        make_user(unit, "cb-vp-tk", departments=["vp-tk"])
        yield app
        db.session.remove()
        db.engine.dispose()


def test_upload_and_download_on_s3(s3_app, tmp_path):
    client = s3_app.test_client()
    login(client, "cb-vp-tk")
    item = db.session.execute(select(ChecklistItem).where(ChecklistItem.code == "CCHC-1.2-a")).scalar_one()
    pdf = corpus.padded(corpus.pdf(tmp_path, pages=2).read_bytes(), 6 * 1024 * 1024)  # above the multipart threshold
    photo = corpus.jpeg(tmp_path, exif=corpus.exif_block(gps=True)).read_bytes()
    response = client.post(
        f"/items/{item.id}/upload",
        content_type="multipart/form-data",
        data={"files": [(io.BytesIO(pdf), "Đơn đề nghị.pdf"), (io.BytesIO(photo), "anh.jpg")]},
    )
    assert response.status_code == 303
    document, image = db.session.execute(select(Document).order_by(Document.id)).scalars().all()
    storage = get_storage()
    assert storage.sha256_of(document.storage_key) == document.sha256
    assert set(storage.iter_keys()) == {document.storage_key, image.storage_key, image.thumb_key, image.preview_key}

    response = client.get(f"/documents/{document.id}/download")
    if storage.presigned:
        assert response.status_code == 302
        with urllib.request.urlopen(response.headers["Location"], timeout=30) as fetched:
            assert fetched.read() == pdf
            assert (
                "filename*=UTF-8''%C4%90%C6%A1n%20%C4%91%E1%BB%81%20ngh%E1%BB%8B.pdf"
                in fetched.headers["Content-Disposition"]
            )
    else:
        assert response.status_code == 200 and response.get_data() == pdf
        assert response.headers["Content-Disposition"].startswith("attachment;")
    preview = client.get(f"/documents/{image.id}/preview")
    assert preview.status_code == 200 and preview.mimetype == "image/jpeg"


def test_storage_init_creates_the_bucket(tmp_path, s3_target, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", s3_target.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", s3_target.secret_key)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    bucket = f"mc-{uuid.uuid4().hex[:20]}"
    app = build_app(
        tmp_path,
        None,
        STORAGE_URL=f"s3://{bucket}?endpoint_url={s3_target.endpoint_url}"
        f"&region={s3_target.region}&addressing_style=path",
    )
    with app.app_context():
        storage = get_storage()
        assert storage.create_bucket_if_missing() is True  # (and removed again below: this proves it was missing)
        storage.client.delete_bucket(Bucket=bucket)
        for _ in range(2):  # a second run finds it there
            result = app.test_cli_runner().invoke(args=["storage", "init"])
            assert result.exit_code == 0 and "Storage ready" in result.output
        storage.client.head_bucket(Bucket=bucket)
        assert storage.create_bucket_if_missing() is False
