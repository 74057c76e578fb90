"""The command line: `upload` and `import` go through the same pipeline and refusals as the web;
`storage verify` finds missing, corrupt and orphaned objects."""

from __future__ import annotations

import json
import shutil

from sqlalchemy import func, select

from evidence_app.evidence.models import Document, Evidence
from evidence_app.extensions import db
from evidence_app.files import get_storage
from tests.evidence import corpus


def documents() -> int:
    return db.session.scalar(select(func.count()).select_from(Document))


def test_upload_command_accepts_and_refuses_per_file(ward, runner, tmp_path):
    good = corpus.pdf(tmp_path, "Báo cáo quý 1.pdf")
    bad = corpus.write(tmp_path, "virus.pdf", b"MZ\x90\x00" + b"\x00" * 100)
    result = runner.invoke(
        args=[
            "upload",
            str(good),
            str(bad),
            "--item",
            "CCHC-1.1-a",
            "--user",
            "cb-vp-tk",
            "--number",
            "35/BC-UBND",
            "--date",
            "10/03/2024",
            "--sent-date",
            "12/03/2024",
        ]
    )
    assert result.exit_code == 1
    assert "uploaded Báo cáo quý 1.pdf" in result.output.replace(str(tmp_path) + "/", "").replace("  ", " ")
    assert f"refused  {bad}: Loại tệp này không được chấp nhận" in result.output
    document = db.session.execute(select(Document)).scalar_one()
    assert (document.number, str(document.sent_date), document.filename) == (
        "35/BC-UBND",
        "2024-03-12",
        "Báo cáo quý 1.pdf",
    )
    again = runner.invoke(args=["upload", str(good), "--item", "CCHC-1.1-a", "--user", "cb-vp-tk"])
    assert again.exit_code == 0 and "already uploaded, linked" in again.output and documents() == 1


def test_upload_command_bad_arguments(ward, runner, tmp_path):
    pdf = corpus.pdf(tmp_path)
    assert (
        "does not exist in unit gieng-day"
        in runner.invoke(args=["upload", str(pdf), "--item", "NOPE-1", "--user", "cb-vp-tk"]).output
    )
    assert (
        "user 'ghost' does not exist"
        in runner.invoke(args=["upload", str(pdf), "--item", "CCHC-1.2-a", "--user", "ghost"]).output
    )
    result = runner.invoke(
        args=["upload", str(pdf), "--item", "CCHC-1.2-a", "--user", "cb-vp-tk", "--date", "2024/13/45"]
    )
    assert result.exit_code == 2 and "DD/MM/YYYY" in result.output
    assert documents() == 0


def test_import_a_folder_tree_and_run_it_again(ward, runner, tmp_path):
    root = tmp_path / "Minh chứng 2024"
    shutil.copy(
        corpus.pdf(tmp_path, "ke-hoach.pdf"),
        (root / "CCHC-1.2-a").mkdir(parents=True) or root / "CCHC-1.2-a" / "ke-hoach.pdf",
    )
    (root / "CCHC" / "2.1").mkdir(parents=True)
    corpus.jpeg(root / "CCHC" / "2.1", "thong-ke.jpg")
    (root / "CCHC-1.1").mkdir()
    corpus.pdf(root / "CCHC-1.1", "bao-cao.pdf", pages=2)
    (root / "Khác").mkdir()
    corpus.pdf(root / "Khác", "lac-cho.pdf", pages=4)
    corpus.write(root / "CCHC-1.2-a", "Thumbs.db", b"junk")
    corpus.write(root / "CCHC-1.2-a", "script.html", b"<html><script>x</script></html>")
    shutil.copy(root / "CCHC-1.2-a" / "ke-hoach.pdf", (root / "CCHC" / "2.1" / "ke-hoach-ban-sao.pdf"))

    result = runner.invoke(args=["import", str(root), "--unit", "gieng-day", "--user", "cb-vp-tk", "--json"])
    assert result.exit_code == 1, "some files were refused"
    report = json.loads(result.output[result.output.index("{") :])
    # the same bytes in two folders: stored once, linked to both items (folders are walked in path order)
    assert sorted(e["file"] for e in report["imported"]) == ["CCHC/2.1/ke-hoach-ban-sao.pdf", "CCHC/2.1/thong-ke.jpg"]
    assert [(e["file"], e["item"]) for e in report["linked"]] == [("CCHC-1.2-a/ke-hoach.pdf", "CCHC-1.2-a")]
    refused = {e["file"]: e["reason"] for e in report["refused"]}
    assert "criterion 1.1 has 2 checklist items" in refused["CCHC-1.1/bao-cao.pdf"]
    assert "CCHC-1.1-a, CCHC-1.1-b" in refused["CCHC-1.1/bao-cao.pdf"]
    assert "not in a folder named by a checklist item" in refused["Khác/lac-cho.pdf"]
    assert "Loại tệp này không được chấp nhận" in refused["CCHC-1.2-a/script.html"]
    assert [e["file"] for e in report["skipped"]] == ["CCHC-1.2-a/Thumbs.db"]
    assert documents() == 2 and db.session.scalar(select(func.count()).select_from(Evidence)) == 3

    again = _json(
        runner.invoke(args=["import", str(root), "--unit", "gieng-day", "--user", "cb-vp-tk", "--json"]).output
    )
    assert again["imported"] == [] and again["linked"] == [] and len(again["already"]) == 3
    assert documents() == 2


def _json(output: str) -> dict:
    return json.loads(output[output.index("{") :])


def test_storage_verify_reports_missing_corrupt_and_orphaned(ward, runner, tmp_path):
    for n in range(3):
        runner.invoke(
            args=[
                "upload",
                str(corpus.pdf(tmp_path, f"tai-lieu-{n}.pdf", pages=n + 1)),
                "--item",
                "CCHC-1.2-a",
                "--user",
                "cb-vp-tk",
            ]
        )
    clean = runner.invoke(args=["storage", "verify", "--json"])
    assert clean.exit_code == 0
    report = _json(clean.output)
    assert {k: report[k] for k in ("documents", "objects", "missing", "corrupt", "orphaned")} == {
        "documents": 3,
        "objects": 3,
        "missing": [],
        "corrupt": [],
        "orphaned": [],
    }

    first, second, third = db.session.execute(select(Document).order_by(Document.id)).scalars().all()
    storage = get_storage()
    path = storage.local_path(first.storage_key)
    data = bytearray(open(path, "rb").read())
    data[-5] ^= 0xFF
    open(path, "wb").write(bytes(data))
    storage.delete(second.storage_key)
    orphan = storage.save(open(corpus.pdf(tmp_path, "mo-coi.pdf", pages=5), "rb"))

    result = runner.invoke(args=["storage", "verify", "--json"])
    assert result.exit_code == 1
    report = _json(result.output)
    assert [(e["key"], e["documents"]) for e in report["corrupt"]] == [(first.storage_key, [first.id])]
    assert [(e["key"], e["documents"]) for e in report["missing"]] == [(second.storage_key, [second.id])]
    assert [e["key"] for e in report["orphaned"]] == [orphan.key]
    text = runner.invoke(args=["storage", "verify"]).output
    assert "3 documents, 3 objects: 1 missing, 1 corrupt, 1 orphaned" in text
