"""Digital signatures read from PDFs signed with a test PKI (pki.py): who signed, whether the signed bytes are
intact, whether the document changed afterwards, and whether the chain reaches the configured roots."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from pyhanko.sign.fields import MDPPerm

from evidence_app.evidence.reading.signatures import KEYS, TrustRootsError, UnreadablePdf, read_signatures
from tests.evidence.reading import pki

SIGNED_AT = (pki.NOW - timedelta(days=3)).replace(hour=9, minute=30, second=0)


class Pki:
    """One PKI per module: a root, an intermediate under it, a signer, a second signer, another CA's root."""

    def __init__(self) -> None:
        self.root = pki.make_ca("Root CA thử nghiệm")
        self.intermediate = pki.make_ca("CA cấp dưới thử nghiệm", issuer=self.root)
        self.signer = pki.make_signer(self.intermediate)
        self.chairman = pki.make_signer(self.intermediate, "Trần Thị B", "UBND phường Giếng Đáy", None)
        self.expired = pki.make_signer(
            self.intermediate,
            not_before=pki.NOW - timedelta(days=800),
            not_after=pki.NOW - timedelta(days=400),
        )
        self.tsa = pki.make_tsa(self.root)
        self.other_root = pki.make_ca("CA khác")
        self.pdf = pki.base_pdf()
        self.signed = pki.sign_pdf(self.pdf, self.signer, [self.intermediate], at=SIGNED_AT)


@pytest.fixture(scope="module")
def test_pki() -> Pki:
    return Pki()


def write(folder: Path, name: str, data: bytes) -> str:
    path = folder / name
    path.write_bytes(data)
    return str(path)


def roots(folder: Path, *certificates: bytes, name: str = "root.pem") -> str:
    directory = folder / "roots"
    directory.mkdir()
    for n, data in enumerate(certificates):
        (directory / (name if n == 0 else f"{n}-{name}")).write_bytes(data)
    return str(directory)


def test_signer_organisation_time_and_intact(test_pki, tmp_path):
    [signature] = read_signatures(write(tmp_path, "a.pdf", test_pki.signed), None)
    assert signature["field"] == "Signature1"
    assert signature["signer"] == "Nguyễn Văn A"
    assert signature["organisation"] == "UBND phường Giếng Đáy / Văn phòng – Thống kê"
    assert signature["issuer"] == "CA cấp dưới thử nghiệm"
    assert datetime.fromisoformat(signature["signed_at"]) == SIGNED_AT
    assert signature["timestamp_at"] is None
    assert signature["intact"] is True
    assert signature["modified_after"] is False
    assert signature["modification"] == "none"
    assert signature["coverage"] == "document"
    assert signature["cert_valid_at_signing"] is True and signature["cert_valid_now"] is True
    assert signature["error"] is None and tuple(signature) == KEYS
    assert json.loads(json.dumps(signature)) == signature  # stored as JSON as it is


def test_pdf_without_signatures(test_pki, tmp_path):
    assert read_signatures(write(tmp_path, "plain.pdf", test_pki.pdf), None) == []


def test_chain_trusted_with_the_root_in_the_folder(test_pki, tmp_path):
    folder = roots(tmp_path, test_pki.root.der(), name="root.crt")  # DER under .crt
    [signature] = read_signatures(write(tmp_path, "a.pdf", test_pki.signed), folder)
    assert signature["chain"] == "trusted"
    assert signature["chain_detail"] == "chains to Root CA thử nghiệm"


def test_chain_trusted_from_a_pem_bundle(test_pki, tmp_path):
    folder = roots(tmp_path, test_pki.other_root.pem() + test_pki.root.pem())
    [signature] = read_signatures(write(tmp_path, "a.pdf", test_pki.signed), folder)
    assert signature["chain"] == "trusted"


def test_chain_untrusted_with_another_ca(test_pki, tmp_path):
    folder = roots(tmp_path, test_pki.other_root.pem())
    [signature] = read_signatures(write(tmp_path, "a.pdf", test_pki.signed), folder)
    assert signature["chain"] == "untrusted"
    assert signature["chain_detail"] == "no chain to a configured root"
    assert signature["intact"] is True  # an unknown signer is not a broken signature


def test_chain_unknown_without_trust_roots(test_pki, tmp_path):
    [signature] = read_signatures(write(tmp_path, "a.pdf", test_pki.signed), None)
    assert signature["chain"] == "unknown"
    assert signature["chain_detail"] == "no trust roots configured"


def test_page_content_changed_after_signing(test_pki, tmp_path):
    altered = pki.add_text_to_page(test_pki.signed)
    [signature] = read_signatures(write(tmp_path, "altered.pdf", altered), roots(tmp_path, test_pki.root.pem()))
    assert signature["intact"] is True  # what was signed is still there, untouched
    assert signature["modified_after"] is True
    assert signature["modification"] == "other"
    assert signature["coverage"] == "revision"


def test_signed_bytes_edited(test_pki, tmp_path):
    edited = pki.flip_signed_byte(test_pki.signed)
    assert len(edited) == len(test_pki.signed)
    [signature] = read_signatures(write(tmp_path, "edited.pdf", edited), roots(tmp_path, test_pki.root.pem()))
    assert signature["intact"] is False
    assert signature["modified_after"] is True
    assert signature["chain"] == "untrusted"


def test_mangled_signature_data(test_pki, tmp_path):
    start = test_pki.signed.index(b"/Contents <") + len(b"/Contents <") + 40
    digit = b"1" if test_pki.signed[start : start + 1] == b"0" else b"0"
    mangled = test_pki.signed[:start] + digit + test_pki.signed[start + 1 :]
    [signature] = read_signatures(write(tmp_path, "mangled.pdf", mangled), None)
    assert signature["field"] == "Signature1" and tuple(signature) == KEYS  # the same keys, unknown ones None
    assert signature["intact"] is False
    assert signature["modified_after"] is True
    assert signature["error"].startswith("signature data unreadable")


def test_two_signatures_the_second_is_an_allowed_revision(test_pki, tmp_path):
    both = pki.sign_pdf(test_pki.signed, test_pki.chairman, [test_pki.intermediate], field="Signature2")
    first, second = read_signatures(write(tmp_path, "both.pdf", both), roots(tmp_path, test_pki.root.pem()))
    assert (first["field"], first["signer"]) == ("Signature1", "Nguyễn Văn A")
    assert (second["field"], second["signer"]) == ("Signature2", "Trần Thị B")
    assert second["organisation"] == "UBND phường Giếng Đáy"
    assert first["coverage"] == "revision" and second["coverage"] == "document"
    assert first["intact"] and second["intact"]
    assert first["modified_after"] is False  # adding a signature is what a signed PDF allows
    assert first["modification"] == "form_filling"
    assert second["modified_after"] is False
    assert first["chain"] == second["chain"] == "trusted"


def test_two_signatures_then_a_change(test_pki, tmp_path):
    both = pki.sign_pdf(test_pki.signed, test_pki.chairman, [test_pki.intermediate], field="Signature2")
    first, second = read_signatures(write(tmp_path, "both.pdf", pki.add_text_to_page(both)), None)
    assert first["modified_after"] is True and second["modified_after"] is True
    assert first["intact"] and second["intact"]


def test_certification_that_allows_no_change(test_pki, tmp_path):
    certified = pki.sign_pdf(test_pki.pdf, test_pki.signer, [test_pki.intermediate], certify=MDPPerm.NO_CHANGES)
    later = pki.sign_pdf(certified, test_pki.chairman, [test_pki.intermediate], field="Signature2", careless=True)
    first, second = read_signatures(write(tmp_path, "certified.pdf", later), None)
    assert first["modification"] == "form_filling"
    assert first["modified_after"] is True  # its DocMDP level forbids even another signature
    assert second["modified_after"] is False


def test_expired_certificate(test_pki, tmp_path):
    signed_then = pki.NOW - timedelta(days=500)
    signed = pki.sign_pdf(test_pki.pdf, test_pki.expired, [test_pki.intermediate], at=signed_then)
    [signature] = read_signatures(write(tmp_path, "old.pdf", signed), roots(tmp_path, test_pki.root.pem()))
    assert signature["intact"] is True
    assert signature["cert_valid_at_signing"] is True
    assert signature["cert_valid_now"] is False
    assert signature["chain"] == "untrusted"
    assert "expired" in signature["chain_detail"]


def test_signed_after_the_certificate_expired(test_pki, tmp_path):
    signed = pki.sign_pdf(test_pki.pdf, test_pki.expired, [test_pki.intermediate], at=pki.NOW - timedelta(days=10))
    [signature] = read_signatures(write(tmp_path, "late.pdf", signed), None)
    assert signature["cert_valid_at_signing"] is False
    assert signature["chain"] == "unknown"


def test_revoked_as_far_as_the_document_tells(test_pki, tmp_path):
    """Nothing is fetched: a CRL in the document's security store that revokes the signer fails the chain; without
    it the revocation is not known offline and does not (soft-fail)."""
    revoked = pki.make_signer(test_pki.intermediate, "Lê Văn C")
    signed = pki.sign_pdf(test_pki.pdf, revoked, [test_pki.intermediate])
    folder = roots(tmp_path, test_pki.root.pem())
    [before] = read_signatures(write(tmp_path, "signed.pdf", signed), folder)
    assert before["chain"] == "trusted"
    with_crl = pki.add_crl(signed, test_pki.intermediate, [revoked])
    [after] = read_signatures(write(tmp_path, "with-crl.pdf", with_crl), folder)
    assert after["chain"] == "untrusted" and after["chain_detail"] == "certificate revoked"
    assert after["intact"] is True and after["modified_after"] is False  # a DSS update is allowed
    assert after["modification"] == "lta_updates"
    [other] = read_signatures(
        write(tmp_path, "other.pdf", pki.add_crl(test_pki.signed, test_pki.intermediate, [revoked])), folder
    )
    assert other["chain"] == "trusted"  # the CRL revokes someone else


def test_timestamp_token_reported_apart(test_pki, tmp_path):
    stamped_at = SIGNED_AT + timedelta(minutes=2)
    signed = pki.sign_pdf(
        test_pki.pdf, test_pki.signer, [test_pki.intermediate], at=SIGNED_AT, tsa=test_pki.tsa, tsa_at=stamped_at
    )
    [signature] = read_signatures(write(tmp_path, "stamped.pdf", signed), roots(tmp_path, test_pki.root.pem()))
    assert datetime.fromisoformat(signature["signed_at"]) == SIGNED_AT
    assert datetime.fromisoformat(signature["timestamp_at"]) == stamped_at
    assert signature["timestamp_valid"] is True
    assert signature["chain"] == "trusted"


def test_the_timestamp_decides_whether_the_certificate_was_valid_then(test_pki, tmp_path):
    """The signer claims a moment when the certificate was valid; the timestamp token, a third party's word,
    says it was signed after the certificate expired: the token's time prevails."""
    signed = pki.sign_pdf(
        test_pki.pdf,
        test_pki.expired,
        [test_pki.intermediate],
        at=pki.NOW - timedelta(days=500),
        tsa=test_pki.tsa,
        tsa_at=pki.NOW - timedelta(days=10),
    )
    [signature] = read_signatures(write(tmp_path, "backdated.pdf", signed), None)
    assert signature["timestamp_valid"] is True
    assert signature["cert_valid_at_signing"] is False


def test_encrypted_pdf(test_pki, tmp_path):
    locked = pki.encrypted(test_pki.signed, "mat-khau")
    with pytest.raises(UnreadablePdf, match="encrypted with a password"):
        read_signatures(write(tmp_path, "locked.pdf", locked), None)


def test_pdf_encrypted_without_a_user_password_is_read(test_pki, tmp_path):
    """Restrictions only (no copying, no printing): it opens without a password, and so do its signatures."""
    restricted = pki.encrypted(test_pki.pdf, "", owner_password="chu")
    signed = pki.sign_pdf(restricted, test_pki.signer, [test_pki.intermediate], owner_password="chu")
    [signature] = read_signatures(write(tmp_path, "restricted.pdf", signed), roots(tmp_path, test_pki.root.pem()))
    assert (signature["signer"], signature["intact"], signature["modified_after"]) == ("Nguyễn Văn A", True, False)
    assert signature["chain"] == "trusted"


@pytest.mark.parametrize("cut", [b"%PDF-1.4\nnot a pdf\n", None])
def test_broken_pdf(test_pki, tmp_path, cut):
    data = cut if cut is not None else test_pki.signed[: len(test_pki.signed) // 2]
    with pytest.raises(UnreadablePdf, match="cannot be read"):
        read_signatures(write(tmp_path, "broken.pdf", data), None)


def test_trust_roots_not_a_folder(test_pki, tmp_path):
    with pytest.raises(TrustRootsError, match="missing.* is not a folder"):
        read_signatures(write(tmp_path, "a.pdf", test_pki.signed), str(tmp_path / "missing"))


def test_trust_roots_bad_certificate_names_the_file(test_pki, tmp_path):
    folder = roots(tmp_path, test_pki.root.pem())
    (Path(folder) / "hỏng.cer").write_bytes(b"not a certificate")
    with pytest.raises(TrustRootsError, match="hỏng.cer is not a certificate"):
        read_signatures(write(tmp_path, "a.pdf", test_pki.signed), folder)


def test_trust_roots_pem_without_a_certificate(test_pki, tmp_path):
    folder = roots(tmp_path, b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", name="key.pem")
    with pytest.raises(TrustRootsError, match="key.pem is not a certificate"):
        read_signatures(write(tmp_path, "a.pdf", test_pki.signed), folder)


def test_trust_roots_folder_without_certificates(test_pki, tmp_path):
    folder = roots(tmp_path, b"notes", name="README.txt")  # other files are ignored, but there must be a root
    with pytest.raises(TrustRootsError, match="holds no certificate"):
        read_signatures(write(tmp_path, "a.pdf", test_pki.signed), folder)


def test_pyhanko_is_not_loaded_with_the_app():
    """pyHanko costs about half a second to import; the app (jobs.py imports this module) starts without it."""
    code = "import sys, evidence_app.evidence.reading.signatures; print('pyhanko' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
