"""The demo's evidence files, made in code: small valid PDFs laid out like an administrative document (Nghị định
30/2020/NĐ-CP, Phụ lục I: the issuing body and the number top left, the national motto and the place and date top
right, the type and summary centred, the signer at the end) and JPEG photos with their capture time in EXIF.

Everything is deterministic: the same arguments give the same bytes (a PDF's creation date is the document's
issue date, never the moment it is made), so a second run of the demo could never store a file twice. A document
the demo calls digitally signed is signed for real (PAdES, by pyHanko) with the demo's own CA (`DemoSigning`),
deterministically too.

The PDFs are written in DejaVu Sans (the font the app ships for its own PDFs), so their text is Vietnamese as
written: the reader's proposals (evidence/reading) find what an appraiser would read."""

from __future__ import annotations

import hashlib
import io
import os
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from PIL import Image, ImageDraw
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.metadata.model import DocumentMetadata
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_signer import PdfSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore

_LETTERS = {"đ": "d", "Đ": "D"}
FONTS = Path(__file__).resolve().parents[1] / "static" / "fonts"


def plain(text: str) -> str:
    """Vietnamese without diacritics, in the characters Helvetica has: "Giếng Đáy" → "Gieng Day"."""
    text = "".join(_LETTERS.get(ch, ch) for ch in text)
    text = "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))
    return "".join(
        ch if 32 <= ord(ch) < 127 else {"–": "-", "—": "-", "“": '"', "”": '"', "’": "'"}.get(ch, "?") for ch in text
    )


def _wrap(text: str, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return lines + ([line] if line else [])


@dataclass
class Letter:
    """An administrative document, as its first page shows it."""

    parent: str  # "UBND THÀNH PHỐ HẠ LONG"
    issuer: str  # "UBND PHƯỜNG GIẾNG ĐÁY"
    number: str  # "45/BC-UBND"
    place: str  # "Giếng Đáy"
    issued: date
    kind: str  # "BÁO CÁO", "KẾ HOẠCH", "QUYẾT ĐỊNH"; "" for an official letter (công văn)
    summary: str  # trích yếu
    body: list[str] = field(default_factory=list)
    signer_title: str = "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH"
    signer: str = ""
    recipients: tuple[str, ...] = ("UBND Thành phố", "Phòng Nội vụ Thành phố", "Lưu: VT")
    pages: int = 1
    signed_digitally: bool = True
    note: str = ""  # a line at the foot of the page ("Bản chụp bằng điện thoại")

    @property
    def dated(self) -> str:
        day = f"{self.issued.day:02d}" if self.issued.day < 10 else str(self.issued.day)
        month = f"{self.issued.month:02d}" if self.issued.month < 3 else str(self.issued.month)
        return f"{self.place}, ngày {day} tháng {month} năm {self.issued.year}"


def pdf_bytes(letter: Letter) -> bytes:
    """A valid PDF (A4 pages of text, in DejaVu Sans: Vietnamese as written) laid out like an administrative
    document."""
    from fpdf import FPDF  # fpdf2: imported when the demo writes its documents, not when the app starts

    pages = []
    first = [
        (56, 800, 10, letter.parent),
        (56, 786, 10, letter.issuer),
        (56, 766, 10, f"Số: {letter.number}"),
        (300, 800, 10, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        (330, 786, 10, "Độc lập - Tự do - Hạnh phúc"),
        (320, 766, 9, letter.dated),
    ]
    y = 730
    if letter.kind:
        first.append((240, y, 13, letter.kind.upper()))
        y -= 18
    for line in _wrap(letter.summary, 62):
        first.append((110, y, 11, line))
        y -= 15
    y -= 12
    for paragraph in letter.body:
        for line in _wrap(paragraph, 80):
            if y < 160:
                break
            first.append((56, y, 10, line))
            y -= 14
        y -= 6
    y = min(y, 200) - 10
    first.append((56, y, 9, "Nơi nhận:"))
    for k, recipient in enumerate(letter.recipients):
        first.append((56, y - 12 * (k + 1), 9, f"- {recipient};"))
    for k, line in enumerate(letter.signer_title.split("\n")):
        first.append((360, y - 14 * k, 10, line))
    if letter.signed_digitally:
        first.append((360, y - 44, 8, f"[Ký số: {letter.issuer}, {letter.issued:%d/%m/%Y}]"))
    first.append((360, y - 70, 11, letter.signer))
    if letter.note:
        first.append((56, 40, 8, letter.note))
    pages.append(first)
    for n in range(2, letter.pages + 1):
        pages.append(
            [
                (56, 800, 10, f"{letter.number} - trang {n}/{letter.pages}"),
                (56, 770, 10, "Phụ lục: biểu số liệu kèm theo (trích)."),
                *[(56, 740 - 16 * k, 10, f"{k + 1}. {row}"[:90]) for k, row in enumerate(letter.body[:20])],
            ]
        )

    pdf = FPDF(unit="pt", format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_font("DejaVu", "", FONTS / "DejaVuSans.ttf")
    pdf.set_creation_date(datetime(letter.issued.year, letter.issued.month, letter.issued.day, 2, tzinfo=UTC))
    title = (
        f"{letter.kind.capitalize()} {letter.number}: {letter.summary}"
        if letter.kind
        else f"{letter.number}: {letter.summary}"
    )
    pdf.set_title(title)
    pdf.set_author(letter.issuer.title())
    pdf.set_subject(letter.summary)
    pdf.set_producer("Minh Chung demo")
    for lines in pages:
        pdf.add_page()
        for x, y_, size, text in lines:  # PDF points from the bottom, as an administrative layout is measured
            pdf.set_font("DejaVu", size=size)
            pdf.text(x, 842 - y_, text)
    return bytes(pdf.output())


def jpeg_bytes(caption: str, taken_at: datetime, *, seed: int = 0, size: tuple[int, int] = (640, 480)) -> bytes:
    """A photo (a room with a device on a desk and a caption board) with its capture time in EXIF, and no GPS."""
    width, height = size
    hue = (seed * 47) % 120
    image = Image.new("RGB", size, (200 - hue // 2, 205, 190 + hue // 3))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, height * 2 // 3, width, height], fill=(150 + hue // 4, 110, 80))  # the desk
    left = width // 4 + (seed * 37) % (width // 3)
    draw.rectangle([left, height // 3, left + width // 4, height * 2 // 3], fill=(40, 45, 55))  # the device
    draw.rectangle([left + 12, height // 3 + 12, left + width // 4 - 12, height * 2 // 3 - 30], fill=(90, 160, 220))
    draw.rectangle([20, 20, width - 20, 70], fill=(250, 250, 245), outline=(120, 30, 30), width=3)  # the board
    draw.text((32, 38), plain(caption)[:80], fill=(120, 30, 30))
    draw.text((width - 170, height - 28), taken_at.strftime("%d/%m/%Y %H:%M"), fill=(255, 200, 0))
    exif = Image.Exif()
    exif[0x010F] = "Minh Chung demo"  # Make
    exif[0x0132] = taken_at.strftime("%Y:%m:%d %H:%M:%S")  # DateTime
    exif_ifd = exif.get_ifd(0x8769)
    exif_ifd[0x9003] = taken_at.strftime("%Y:%m:%d %H:%M:%S")  # DateTimeOriginal
    exif_ifd[0x9011] = "+07:00"  # OffsetTimeOriginal
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80, exif=exif)
    return out.getvalue()


# ------------------------------------------------------------------------------------------------ signatures
class DemoSigning:
    """The demo's PKI, made on first use and kept in `folder` (in the demo's data directory): a demo CA, trusted by
    nobody (its chain reads "unknown" unless someone puts it in MINHCHUNG_TRUST_ROOTS), and one signing certificate
    per signer and organisation. Signatures are PAdES, made by pyHanko at the moment given, with deterministic ECDSA
    and a document ID derived from the content: the same document signed twice is the same bytes."""

    CA_NAME = "CA Minh Chứng demo (không dùng thật)"
    RESERVED = 4096  # bytes for the signature (about 1,600 used): pyHanko would otherwise sign twice to measure

    def __init__(self, folder: Path, today: date):
        self.folder = folder
        self.today = today
        self._signers: dict[tuple[str, str], _KeySigner] = {}
        self._ca: tuple | None = None

    def sign(self, pdf: bytes, signer: str, organisation: str, at: datetime) -> bytes:
        """`pdf` signed by `signer` of `organisation` at `at` (an invisible signature field, an incremental update)."""
        meta = signers.PdfSignatureMetadata(
            field_name="Signature1", subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256"
        )
        out = io.BytesIO()
        _SignerAt(meta, signer=self._signer(signer, organisation), at=at).sign_pdf(
            _ContentIdWriter(pdf, at), bytes_reserved=self.RESERVED, output=out
        )
        return out.getvalue()

    def _authority(self) -> tuple:
        if self._ca is None:
            self._ca = self._load_or_make("ca", lambda: _make_ca(self.CA_NAME, self.today))
        return self._ca

    def _signer(self, name: str, organisation: str) -> _KeySigner:
        if (name, organisation) not in self._signers:
            digest = hashlib.sha256(f"{name}\n{organisation}".encode()).hexdigest()[:16]
            ca_cert, ca_key = self._authority()
            cert, key = self._load_or_make(
                f"signer-{digest}", lambda: _make_signer(name, organisation, ca_cert, ca_key, self.today)
            )
            self._signers[name, organisation] = _KeySigner(
                key,
                signing_cert=_asn1_certificate(cert),
                signing_key=_asn1_key(key),
                cert_registry=SimpleCertificateStore.from_certs([_asn1_certificate(ca_cert)]),
            )
        return self._signers[name, organisation]

    def _load_or_make(self, stem: str, make: Callable[[], tuple]) -> tuple:
        cert_path, key_path = self.folder / f"{stem}.pem", self.folder / f"{stem}.key"
        if cert_path.exists() and key_path.exists():
            cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
            return cert, serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        cert, key = make()
        self.folder.mkdir(parents=True, exist_ok=True)
        key_bytes = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        descriptor = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            out.write(key_bytes)
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        return cert, key


def _make_ca(common_name: str, today: date):

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Minh Chứng demo"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    start = datetime.combine(today, datetime.min.time(), tzinfo=UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start - timedelta(days=5 * 365))
        .not_valid_after(start + timedelta(days=10 * 365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return cert, key


def _make_signer(name: str, organisation: str, ca_cert, ca_key, today: date):
    """A person's signing certificate, valid from two years before the demo's day to three years after it."""

    key = ec.generate_private_key(ec.SECP256R1())
    start = datetime.combine(today, datetime.min.time(), tzinfo=UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                    x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
                    x509.NameAttribute(NameOID.COMMON_NAME, name),
                ]
            )
        )
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start - timedelta(days=2 * 365))
        .not_valid_after(start + timedelta(days=3 * 365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return cert, key


def _asn1_certificate(cert):

    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _asn1_key(key):

    return asn1_keys.PrivateKeyInfo.load(
        key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )


class _KeySigner(signers.SimpleSigner):
    """pyHanko's in-memory signer with two changes: the key is loaded once (pyHanko loads it at every signature,
    and checking a key costs more than signing), and ECDSA is deterministic (RFC 6979), so that the same document
    signed twice is the same bytes."""

    def __init__(self, key: ec.EllipticCurvePrivateKey, **kwargs):
        super().__init__(**kwargs)
        self.key = key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        algorithm = {"sha256": hashes.SHA256(), "sha384": hashes.SHA384(), "sha512": hashes.SHA512()}[digest_algorithm]
        return self.key.sign(data, ec.ECDSA(algorithm, deterministic_signing=True))


class _SignerAt(PdfSigner):
    """pyHanko's signer at a given moment: it takes the clock's, and the demo's documents were signed earlier."""

    def __init__(self, *args, at: datetime, **kwargs):
        super().__init__(*args, **kwargs)
        self.at = at

    def init_signing_session(self, *args, **kwargs):
        session = super().init_signing_session(*args, **kwargs)
        session.system_time = self.at
        return session


class _PinnedMetadata(DocumentMetadata):
    """pyHanko's document metadata with its "now" pinned: the writer sets the modification date (/ModDate and the
    XMP's) to "now" at every write, and the demo's documents were signed on their own day."""

    pinned: datetime | None = None

    def __setattr__(self, name, value):
        if name == "last_modified" and value == "now" and self.pinned is not None:
            value = self.pinned
        super().__setattr__(name, value)


class _ContentIdWriter(IncrementalPdfFileWriter):
    """pyHanko's incremental writer made deterministic: the new part of the document's ID is made of its content,
    not of os.urandom (the first part stays the document's own, if it has one, as ISO 32000 asks), and its
    modification date is the signature's moment, not the clock's."""

    def __init__(self, pdf: bytes, at: datetime):
        super().__init__(io.BytesIO(pdf), strict=False)
        self._meta = _PinnedMetadata()
        self._meta.pinned = at

    @classmethod
    def _handle_id(cls, prev):
        digest = hashlib.sha256(prev.stream.getvalue()).digest()
        try:
            first = prev.trailer["/ID"][0]
        except KeyError:
            first = generic.ByteStringObject(digest[:16])
        return generic.ArrayObject([first, generic.ByteStringObject(digest[16:])])
