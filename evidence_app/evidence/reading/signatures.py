"""The digital signatures of a PDF, verified offline with pyHanko: who signed, when they say they did, whether the
signed bytes are intact, whether the document was changed afterwards beyond what the signature allows, and whether
the signer's certificate chains to one of the configured roots (MINHCHUNG_TRUST_ROOTS).

Nothing is fetched: no OCSP, no CRL, no missing intermediate certificate. Revocation is checked soft-fail, with
what the document carries itself (its document security store, DSS, and the revocation information archived in a
signature, as PAdES-LT signing tools write them): a CRL or OCSP response there that says "revoked" fails the chain;
a signature whose revocation status cannot be learnt offline is not failed for it (most cannot: Vietnamese signing
certificates point at their CA's OCSP responder, which this server must never call). Every signature is validated
as of now; whether the certificate was valid at the moment the signature claims (or its timestamp proves) is
reported beside it, because a document signed in March with a certificate that expired in June is ordinary, and
the reviewer should see both."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from asn1crypto.crl import CertificateList
from asn1crypto.ocsp import OCSPResponse

if TYPE_CHECKING:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
    from pyhanko.sign.validation.status import PdfSignatureStatus

# pyHanko is imported in the functions that use it: it costs about half a second of CPU, which every start of the
# app (every worker, every command) would pay for a module that only a reading of a PDF runs.

log = logging.getLogger(__name__)

CERTIFICATE_SUFFIXES = {".pem", ".crt", ".cer", ".der"}

COVERAGE = {  # pyHanko's SignatureCoverageLevel, by name
    "ENTIRE_FILE": "document",  # nothing was added after the signature
    "ENTIRE_REVISION": "revision",  # later revisions follow (another signature, a form filled…)
    "CONTIGUOUS_BLOCK_FROM_START": "partial",
    "UNCLEAR": "partial",
}

# Why a chain is not trusted, in a few words, by the name of pyHanko's AdES sub-indication (stored with the reading;
# the pages show their own wording).
CHAIN_PROBLEMS = {
    "NO_CERTIFICATE_CHAIN_FOUND": "no chain to a configured root",
    "EXPIRED": "certificate expired",
    "OUT_OF_BOUNDS_NO_POE": "certificate expired or not yet valid",
    "OUT_OF_BOUNDS_NOT_REVOKED": "certificate expired or not yet valid",
    "NOT_YET_VALID": "certificate not yet valid",
    "REVOKED": "certificate revoked",
    "REVOKED_NO_POE": "certificate revoked",
    "REVOKED_CA_NO_POE": "a CA certificate of the chain revoked",
    "CHAIN_CONSTRAINTS_FAILURE": "chain invalid (constraints)",
    "CERTIFICATE_CHAIN_GENERAL_FAILURE": "chain invalid",
    "CRYPTO_CONSTRAINTS_FAILURE": "algorithm not allowed",
    "CRYPTO_CONSTRAINTS_FAILURE_NO_POE": "algorithm not allowed",
    "SIG_CONSTRAINTS_FAILURE": "certificate not for signing documents (key usage)",
}


class _ChainProblemsRecorded(logging.Filter):
    """pyHanko logs every chain it cannot build with a traceback, at each reading when no roots are configured;
    the reading records the reason itself (`chain_detail`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(("Failed to build path", "Validation error [cert context"))


logging.getLogger("pyhanko.sign.validation.generic_cms").addFilter(_ChainProblemsRecorded())


class TrustRootsError(ValueError):
    """The configured trust roots cannot be used: the folder or one of its certificate files is bad."""


class UnreadablePdf(ValueError):
    """The PDF cannot be read for its signatures: broken or encrypted."""


def read_signatures(path: str, trust_roots: str | None) -> list[dict]:
    """One JSON-able dict per signed signature field of the PDF at `path`, in signing order (a signature whose
    data cannot be parsed comes last, flagged, with its `error`).

    `trust_roots` is a folder of CA certificates; without one, every chain is "unknown" (not verified, which is
    not a failure). Raises TrustRootsError for a bad folder or certificate file, UnreadablePdf for a PDF that is
    broken or encrypted."""
    from pyhanko.pdf_utils.crypt.api import AuthStatus
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import enumerate_sig_fields
    from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

    roots = load_trust_roots(trust_roots) if trust_roots else None
    with open(path, "rb") as stream:
        try:
            reader = PdfFileReader(stream, strict=False)
            # encrypted with an empty user password (restrictions only: no printing, no copying…), it opens
            locked = reader.encrypted and reader.decrypt("").status == AuthStatus.FAILED
            found = [] if locked else list(enumerate_sig_fields(reader, filled_status=True))
        except (PdfError, ValueError, KeyError, TypeError, IndexError, AttributeError) as error:
            raise UnreadablePdf(f"the PDF cannot be read for its signatures: {error}") from error
        if locked:
            raise UnreadablePdf("the PDF is encrypted with a password: its signatures cannot be verified")
        signatures, broken = [], []
        for name, _, field in found:
            try:
                signature = EmbeddedPdfSignature(reader, field, name)
            except Exception as error:  # a mangled CMS blob: asn1crypto raises whatever it meets
                broken.append(_blank(name) | _broken(f"signature data unreadable: {error}"))
                continue
            if signature.sig_object_type == "/Sig":  # a document timestamp (/DocTimeStamp) is nobody's signature
                signatures.append(signature)
        signatures.sort(key=lambda signature: signature.signed_revision)
        held = _revocation_info_in(reader)
        return asyncio.run(_read_all(signatures, roots, held)) + broken


@dataclass
class _Held:
    """Revocation information a PDF carries itself: CRLs, OCSP responses and certificates."""

    crls: list = field(default_factory=list)
    ocsps: list = field(default_factory=list)
    certs: list = field(default_factory=list)


def _revocation_info_in(reader: PdfFileReader) -> _Held:
    """What the document's security store (DSS, written by PAdES-LT signing tools) holds; unreadable, nothing."""
    from pyhanko.sign.validation.dss import DocumentSecurityStore
    from pyhanko.sign.validation.errors import NoDSSFoundError

    try:
        dss = DocumentSecurityStore.read_dss(reader)
        return _Held(
            [CertificateList.load(ref.get_object().data) for ref in dss.crls],
            [OCSPResponse.load(ref.get_object().data) for ref in dss.ocsps],
            list(dss.load_certs()),
        )
    except NoDSSFoundError:
        return _Held()
    except Exception:  # a broken DSS is revocation information not held, as if absent (soft-fail below)
        log.warning("the document security store cannot be read", exc_info=True)
        return _Held()


def _archived_with(signature: EmbeddedPdfSignature) -> _Held:
    """Revocation information archived inside the signature itself (Adobe's adbe-revocationInfoArchival)."""
    from pyhanko.sign.general import MultivaluedAttributeError, NonexistentAttributeError, find_unique_cms_attribute

    try:
        archive = find_unique_cms_attribute(signature.signer_info["signed_attrs"], "adobe_revocation_info_archival")
    except (NonexistentAttributeError, MultivaluedAttributeError):
        return _Held()
    crls, ocsps = archive["crl"], archive["ocsp"]
    return _Held(list(crls) if crls.native else [], list(ocsps) if ocsps.native else [])


async def _read_all(
    signatures: list[EmbeddedPdfSignature], roots: list[asn1_x509.Certificate] | None, held: _Held
) -> list[dict]:
    return [await _read_one(signature, roots, held) for signature in signatures]


async def _read_one(signature: EmbeddedPdfSignature, roots: list[asn1_x509.Certificate] | None, held: _Held) -> dict:
    from pyhanko.sign.validation import async_validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko_certvalidator import ValidationContext

    now = datetime.now(UTC)
    archived = _archived_with(signature)
    context = ValidationContext(
        trust_roots=roots or [],  # an empty list, never None: None would mean the operating system's TLS roots
        other_certs=held.certs,
        crls=held.crls + archived.crls,
        ocsps=held.ocsps + archived.ocsps,
        allow_fetching=False,
        # soft-fail: a revocation status that cannot be learnt offline (no CRL or OCSP response in the document,
        # none fetched) does not fail the chain; revocation information the document holds, saying "revoked",
        # still does
        revocation_mode="soft-fail",
        moment=now,
    )
    result = _blank(signature.field_name) | {"revision": signature.signed_revision}
    try:
        cert = signature.signer_cert
    except (ValueError, KeyError, SignatureValidationError) as error:
        return result | _broken(f"no signer certificate: {error}")
    result |= _subject(cert)
    try:
        status = await async_validate_pdf_signature(signature, context)
    except Exception as error:  # a signature that cannot even be checked (unknown SubFilter, byte range off the file)
        return result | _broken(str(error) or type(error).__name__)
    return result | _times(status, cert, now) | _integrity(status) | _chain(status, roots)


def _subject(cert: asn1_x509.Certificate) -> dict:
    subject = cert.subject.native
    parts = [*_values(subject, "organization_name"), *_values(subject, "organizational_unit_name")]
    return {
        "signer": ", ".join(_values(subject, "common_name")) or cert.subject.human_friendly,
        "organisation": " / ".join(parts) or None,
        "issuer": ", ".join(_values(cert.issuer.native, "common_name")) or cert.issuer.human_friendly,
        "serial": format(cert.serial_number, "x"),
    }


def _values(name: dict, key: str) -> list[str]:
    value = name.get(key)
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _times(status: PdfSignatureStatus, cert: asn1_x509.Certificate, now: datetime) -> dict:
    """When the signer says they signed; the timestamp token's time apart (a third party's word, not theirs); and
    whether the certificate was valid then (the token's time first, if the token verifies) and is now."""
    claimed = status.signer_reported_dt
    token = status.timestamp_validity
    stamped = token.timestamp if token is not None else None
    token_valid = None if token is None else bool(token.intact and token.valid)
    moment = stamped if token_valid else claimed
    return {
        "signed_at": _iso(claimed),
        "timestamp_at": _iso(stamped),
        "timestamp_valid": token_valid,
        "cert_valid_from": _iso(cert.not_valid_before),
        "cert_valid_until": _iso(cert.not_valid_after),
        "cert_valid_at_signing": None if moment is None else _within(cert, moment),
        "cert_valid_now": _within(cert, now),
    }


def _within(cert: asn1_x509.Certificate, moment: datetime) -> bool:
    return cert.not_valid_before <= moment <= cert.not_valid_after


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _integrity(status: PdfSignatureStatus) -> dict:
    """`intact`: the signed bytes' digest matches and the signature over it verifies with the certificate's key.
    `modified_after`: a later revision changed what the signature's rules do not allow (pyHanko's difference
    analysis against its DocMDP level; an approval signature allows form filling, signatures and annotations),
    or that could not be established; or the signed bytes themselves no longer match their digest. A document
    changed after signing is always flagged."""
    level = status.modification_level
    return {
        "intact": bool(status.intact and status.valid),
        "modified_after": status.docmdp_ok is not True or not status.intact,
        "modification": None if level is None else level.name.lower(),
        "coverage": "partial" if status.coverage is None else COVERAGE.get(status.coverage.name, "partial"),
    }


def _chain(status: PdfSignatureStatus, roots: list[asn1_x509.Certificate] | None) -> dict:
    if not roots:
        return {"chain": "unknown", "chain_detail": "no trust roots configured"}
    if not (status.intact and status.valid):
        return {"chain": "untrusted", "chain_detail": "signature not valid: chain not checked"}
    problem = status.trust_problem_indic
    if problem is None and status.validation_path is not None:
        anchor = status.validation_path.trust_anchor.authority.name
        common_names = _values(anchor.native, "common_name")
        return {"chain": "trusted", "chain_detail": f"chains to {', '.join(common_names) or anchor.human_friendly}"}
    detail = "chain not verified" if problem is None else CHAIN_PROBLEMS.get(problem.name, problem.name.lower())
    return {"chain": "untrusted", "chain_detail": detail}


KEYS = (
    "field",
    "revision",
    "signer",
    "organisation",
    "issuer",
    "serial",
    "signed_at",
    "timestamp_at",
    "timestamp_valid",
    "cert_valid_from",
    "cert_valid_until",
    "cert_valid_at_signing",
    "cert_valid_now",
    "intact",
    "modified_after",
    "modification",
    "coverage",
    "chain",
    "chain_detail",
    "error",
)


def _blank(field: str) -> dict:
    """Every key a signature's dict has, unknown: the same keys for a signature that could not be checked."""
    return dict.fromkeys(KEYS) | {"field": field}


def _broken(reason: str) -> dict:
    return {
        "intact": False,
        "modified_after": True,
        "modification": None,
        "coverage": "partial",
        "chain": "untrusted",
        "chain_detail": "signature not valid: chain not checked",
        "error": reason[:500],
    }


def load_trust_roots(folder: str) -> list[asn1_x509.Certificate]:
    """The CA certificates (PEM, possibly several in a file, or DER) of the files .pem/.crt/.cer/.der in `folder`."""
    directory = Path(folder)
    if not directory.is_dir():
        raise TrustRootsError(f"MINHCHUNG_TRUST_ROOTS: {folder} is not a folder")
    roots = []
    for file in sorted(directory.iterdir()):
        if file.suffix.lower() in CERTIFICATE_SUFFIXES and file.is_file():
            roots.extend(_certificates(file))
    if not roots:
        raise TrustRootsError(f"MINHCHUNG_TRUST_ROOTS: {folder} holds no certificate (.pem, .crt, .cer, .der)")
    return roots


def _certificates(file: Path) -> list[asn1_x509.Certificate]:
    try:
        data = file.read_bytes()
        if pem.detect(data):
            blobs = [der for kind, _, der in pem.unarmor(data, multiple=True) if kind == "CERTIFICATE"]
            if not blobs:
                raise ValueError("no CERTIFICATE block")
        else:
            blobs = [data]
        certificates = [asn1_x509.Certificate.load(blob) for blob in blobs]
        for certificate in certificates:
            _ = certificate.native  # asn1crypto parses lazily: a truncated certificate fails here, naming its file
    except (OSError, ValueError, TypeError) as error:
        raise TrustRootsError(f"MINHCHUNG_TRUST_ROOTS: {file} is not a certificate (PEM or DER): {error}") from error
    return certificates
