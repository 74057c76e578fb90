"""A test PKI made in code (a root CA, an intermediate CA, signers), and PDFs signed with it by pyHanko.

EC keys (P-256): a key costs well under a millisecond, so a module can build its whole PKI once."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from asn1crypto.crl import CertificateList
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from fpdf import FPDF
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_signer import PdfSigner
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pypdf import PdfReader, PdfWriter

FONT = Path(__file__).parents[3] / "evidence_app" / "static" / "fonts" / "DejaVuSans.ttf"
NOW = datetime.now(UTC).replace(microsecond=0)
CRL_URL = "http://ca.example.invalid/sub.crl"


@dataclass
class Identity:
    """A certificate and its private key."""

    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey

    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)


def _name(common_name: str, organisation: str | None = None, unit: str | None = None) -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")]
    if organisation:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation))
    if unit:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attributes)


def make_ca(common_name: str, *, issuer: Identity | None = None, days: int = 3650) -> Identity:
    """A CA: self-signed without `issuer`, else an intermediate CA issued by it."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(common_name, "Test PKI")
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer.cert.subject if issuer else name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(days=3650))
        .not_valid_after(NOW + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),  # key_cert_sign, crl_sign
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False
        )
    return Identity(builder.sign(issuer.key if issuer else key, hashes.SHA256()), key)


def make_tsa(issuer: Identity) -> Identity:
    """A time-stamping authority's certificate (extended key usage timeStamping, critical, as RFC 3161 asks); RSA,
    the only kind pyHanko's test time stamper signs with."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("Test TSA", "Test PKI"))
        .issuer_name(issuer.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(days=3650))
        .not_valid_after(NOW + timedelta(days=3650))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(issuer.key, hashes.SHA256())
    )
    return Identity(cert, key)


def make_signer(
    issuer: Identity,
    common_name: str = "Nguyễn Văn A",
    organisation: str | None = "UBND phường Giếng Đáy",
    unit: str | None = "Văn phòng – Thống kê",
    *,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
) -> Identity:
    """A person's signing certificate (digital signature, non-repudiation), issued by `issuer`, whose CRL is
    declared at CRL_URL (never fetched: tests put the CRL in the PDF)."""
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name, organisation, unit))
        .issuer_name(issuer.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or NOW - timedelta(days=365))
        .not_valid_after(not_after or NOW + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False),  # signature, non-repudiation
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False)
        .add_extension(
            x509.CRLDistributionPoints(
                [x509.DistributionPoint([x509.UniformResourceIdentifier(CRL_URL)], None, None, None)]
            ),
            critical=False,
        )
        .sign(issuer.key, hashes.SHA256())
    )
    return Identity(cert, key)


def add_crl(pdf: bytes, issuer: Identity, revoked: list[Identity]) -> bytes:
    """`pdf` with `issuer`'s current CRL, revoking `revoked`, added to its document security store (DSS) for its
    first signature, as a PAdES-LT signing tool does: an incremental update that signatures allow."""
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.cert.subject)
        .last_update(NOW - timedelta(days=1))
        .next_update(NOW + timedelta(days=6))
    )
    for identity in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(identity.cert.serial_number)
            .revocation_date(NOW - timedelta(days=2))
            .build()
        )
    crl = CertificateList.load(builder.sign(issuer.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER))
    stream = io.BytesIO(pdf)
    signature = PdfFileReader(stream).embedded_signatures[0]
    DocumentSecurityStore.add_dss(stream, signature.pkcs7_content, crls=[crl], embed_roots=False)
    return stream.getvalue()


def base_pdf(text: str = "Kế hoạch 45/KH-UBND: cải cách hành chính năm 2026", pages: int = 1) -> bytes:
    """A small PDF with Vietnamese text (fpdf2, DejaVu)."""
    pdf = FPDF()
    pdf.add_font("DejaVu", fname=str(FONT))
    pdf.set_font("DejaVu", size=12)
    for n in range(pages):
        pdf.add_page()
        pdf.cell(text=f"{text} — trang {n + 1}")
    return bytes(pdf.output())


def _asn1_cert(identity: Identity) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(identity.der())


def _asn1_key(identity: Identity) -> asn1_keys.PrivateKeyInfo:
    return asn1_keys.PrivateKeyInfo.load(
        identity.key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )


class _SignerAt(PdfSigner):
    """pyHanko's PdfSigner with the signing time fixed (pyHanko takes the clock's): signatures "made" in the past."""

    def __init__(self, *args, at: datetime | None = None, careless: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.at = at
        self.careless = careless

    def _enforce_certification_constraints(self, reader):
        if not self.careless:  # a careless tool signs a document certified "no changes" all the same
            super()._enforce_certification_constraints(reader)

    def init_signing_session(self, *args, **kwargs):
        session = super().init_signing_session(*args, **kwargs)
        if self.at is not None:
            session.system_time = self.at
        return session


def sign_pdf(
    pdf: bytes,
    signer: Identity,
    chain: list[Identity] = (),  # type: ignore[assignment]
    *,
    field: str = "Signature1",
    at: datetime | None = None,
    certify: fields.MDPPerm | None = None,
    tsa: Identity | None = None,
    tsa_at: datetime | None = None,
    careless: bool = False,
    owner_password: str | None = None,
) -> bytes:
    """`pdf` signed (PAdES, an incremental update) by `signer` in a new field, with `chain`'s certificates embedded:
    at `at` (default: now), a certification signature allowing `certify`'s changes, with a timestamp token of `tsa`
    (at `tsa_at`); `careless`, even where an earlier certification forbids it; an encrypted `pdf` with its
    `owner_password`."""
    simple = signers.SimpleSigner(
        signing_cert=_asn1_cert(signer),
        signing_key=_asn1_key(signer),
        cert_registry=SimpleCertificateStore.from_certs([_asn1_cert(c) for c in chain]),
    )
    meta = signers.PdfSignatureMetadata(
        field_name=field,
        subfilter=fields.SigSeedSubFilter.PADES,
        certify=certify is not None,
        docmdp_permissions=certify or fields.MDPPerm.FILL_FORMS,
    )
    timestamper = (
        None if tsa is None else DummyTimeStamper(tsa_cert=_asn1_cert(tsa), tsa_key=_asn1_key(tsa), fixed_dt=tsa_at)
    )
    out = io.BytesIO()
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    if owner_password is not None:
        writer.encrypt(owner_password)
    _SignerAt(meta, signer=simple, timestamper=timestamper, at=at, careless=careless).sign_pdf(writer, output=out)
    return out.getvalue()


def encrypted(pdf: bytes, user_password: str, owner_password: str = "chu-so-huu") -> bytes:
    """`pdf` rewritten encrypted (AES-128) by pypdf: with an empty user password, it opens without one."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password, owner_password, algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def add_text_to_page(pdf: bytes, text: bytes = b"DA SUA") -> bytes:
    """`pdf` with an incremental update that draws `text` on its first page: a change no signature allows."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    stream = generic.StreamObject(stream_data=b"BT /F1 24 Tf 100 100 Td (" + text + b") Tj ET")
    writer.add_stream_to_page(0, writer.add_object(stream))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def flip_signed_byte(pdf: bytes) -> bytes:
    """`pdf` with one byte changed inside the first signature's signed range (in the first page's content stream),
    in place: the file's structure is unchanged, only the signed digest no longer matches."""
    start = pdf.index(b"stream\n") + len(b"stream\n") + 8
    return pdf[:start] + bytes([pdf[start] ^ 0x01]) + pdf[start + 1 :]
