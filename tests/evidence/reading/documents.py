"""Administrative documents made in code, with their true fields known, for the reading tests and
benchmarks/document_reading.py: the layout of Nghị định 30/2020/NĐ-CP, Phụ lục I (the issuing body and the
number top left, the national motto and the place and date top right, the type and summary centred, the body,
the recipients and the signer at the end), Vietnamese throughout (DejaVu Sans, bundled with the app).

Four forms of the same document:
- text_pdf: as exported from a word processor (fpdf2), with a text layer; the header drawn column by column or
  row by row (text layers come in either order);
- scanned_pdf: its pages rendered at 200–300 dpi, slightly rotated, noisy and blurred, as JPEG pages of a PDF
  without a text layer;
- phone_photo: its first page photographed: perspective, uneven light, blur, a table around it, 4032 × 3024 (a
  12-megapixel phone), sometimes stored sideways with an EXIF orientation;
- docx: python-docx, the header and the signature block as borderless two-column tables, as Word templates do.

Everything is deterministic: the same seed gives the same documents and the same bytes.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

from PIL import Image, ImageChops, ImageFilter, ImageOps

FONTS = Path(__file__).resolve().parents[3] / "evidence_app" / "static" / "fonts"
FORMS = ("text_pdf", "scanned_pdf", "phone_photo", "docx")
CONTENT_TYPES = {
    "text_pdf": "application/pdf",
    "scanned_pdf": "application/pdf",
    "phone_photo": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
SUFFIXES = {"text_pdf": ".pdf", "scanned_pdf": ".pdf", "phone_photo": ".jpg", "docx": ".docx"}

WARDS = ("Giếng Đáy", "Hà Khẩu", "Cao Xanh", "Hà Phong", "Bãi Cháy", "Hồng Gai", "Hà Tu", "Hà Lầm", "Tuần Châu")
# (type line, number symbol): "" is an official letter (công văn), its summary after "V/v"
TYPES = (
    ("KẾ HOẠCH", "KH"),
    ("BÁO CÁO", "BC"),
    ("QUYẾT ĐỊNH", "QĐ"),
    ("THÔNG BÁO", "TB"),
    ("TỜ TRÌNH", "TTr"),
    ("", ""),
    ("BIÊN BẢN", "BB"),
    ("CHƯƠNG TRÌNH", "CTr"),
    ("HƯỚNG DẪN", "HD"),
)
SUMMARIES = (
    "Triển khai công tác cải cách hành chính năm {year}",
    "Kết quả thực hiện công tác chuyển đổi số 6 tháng đầu năm {year}",
    "Tuyên truyền cải cách hành chính trên địa bàn phường năm {year}",
    "Kiểm tra công tác cải cách hành chính tại các tổ dân phố",
    "Kiện toàn Tổ công nghệ số cộng đồng phường {place}",
    "Thực hiện cơ chế một cửa, một cửa liên thông trong giải quyết thủ tục hành chính",
    "Đánh giá mức độ hài lòng của người dân đối với sự phục vụ của cơ quan hành chính",
    "Rà soát, đơn giản hóa thủ tục hành chính năm {year}",
    "Công tác phòng, chống dịch bệnh và vệ sinh an toàn thực phẩm quý {quarter} năm {year}",
    "Bảo đảm an ninh trật tự dịp Tết Nguyên đán",
    "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính tại Bộ phận Một cửa",
    "Tổ chức hội nghị đối thoại giữa người đứng đầu cấp ủy, chính quyền với Nhân dân",
)
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương", "Đinh", "Phan")
MIDDLE = ("Văn", "Thị", "Minh", "Thu", "Quang", "Đức", "Thanh", "Hữu", "Ngọc", "Hồng")
GIVEN = ("Thành", "Mai", "Dũng", "Tuấn", "Hương", "Lan", "Hải", "Long", "Nam", "Hà", "Quỳnh", "Thắng", "Yến")
SENTENCES = (
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015; Luật sửa đổi, bổ sung một số điều "
    "của Luật Tổ chức Chính phủ và Luật Tổ chức chính quyền địa phương ngày 22 tháng 11 năm 2019.",
    "Thực hiện Kế hoạch của Ủy ban nhân dân thành phố Hạ Long về công tác cải cách hành chính, các bộ phận "
    "chuyên môn chủ động triển khai nhiệm vụ được giao, bảo đảm đúng tiến độ và chất lượng.",
    "Nâng cao chất lượng phục vụ người dân và doanh nghiệp; 100% hồ sơ thủ tục hành chính được tiếp nhận, "
    "giải quyết đúng hạn, công khai, minh bạch trên Cổng dịch vụ công.",
    "Tổ chức tuyên truyền sâu rộng đến cán bộ, công chức và Nhân dân trên địa bàn bằng nhiều hình thức phù "
    "hợp: hệ thống loa truyền thanh, trang thông tin điện tử, các nhóm Zalo của tổ dân phố.",
    "Văn phòng - Thống kê có trách nhiệm tổng hợp kết quả, báo cáo Ủy ban nhân dân phường trước ngày 15 hằng "
    "tháng để theo dõi, chỉ đạo kịp thời.",
    "Kinh phí thực hiện từ nguồn ngân sách phường đã được bố trí trong dự toán năm và các nguồn hợp pháp khác "
    "theo quy định của pháp luật hiện hành.",
    "Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, các đơn vị kịp thời báo cáo về Ủy ban nhân dân "
    "phường để xem xét, giải quyết theo thẩm quyền.",
    "Kết quả: tiếp nhận 1.245 hồ sơ, đã giải quyết 1.198 hồ sơ, trong đó trước hạn và đúng hạn đạt 98,6%; "
    "không có hồ sơ quá hạn do lỗi của cán bộ, công chức.",
    "Công an phường phối hợp với các tổ dân phố rà soát, cập nhật dữ liệu dân cư, bảo đảm thông tin đúng, "
    "đủ, sạch, sống phục vụ giải quyết thủ tục hành chính.",
)
RECIPIENTS = ("UBND Thành phố (b/c)", "Phòng Nội vụ Thành phố", "Đảng ủy, HĐND phường", "Các tổ dân phố", "Lưu: VT")


@dataclass(frozen=True)
class Truth:
    """What a reader should find in the document: the fields as they are written in it."""

    number: str  # "100/KH-UBND"
    issue_date: str  # ISO
    issuer: str  # the issuing body's line(s), joined by a space, as written (upper case)
    doc_type: str  # "KẾ HOẠCH"; "CÔNG VĂN" for an official letter
    summary: str
    signer: str
    signer_position: str  # the signer's own title, the last line of the block ("PHÓ CHỦ TỊCH")
    place: str


@dataclass(frozen=True)
class Spec:
    """One document: its truth and how it is laid out."""

    truth: Truth
    parent: str  # the line above the issuing body ("" when the issuing body takes two lines itself)
    issuer_lines: tuple[str, ...]
    type_line: str  # "" for an official letter
    authority: str  # a decision's "CHỦ TỊCH ỦY BAN NHÂN DÂN PHƯỜNG ..." line, else ""
    signer_block: tuple[str, ...]  # "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"
    body: tuple[str, ...]
    pages: int  # pages aimed at (the text PDF's real count may differ by one)
    header_by_rows: bool  # text layer order: the two header columns interleaved line by line
    seed: int


@dataclass
class Sample:
    spec: Spec
    form: str
    content: bytes

    @property
    def truth(self) -> Truth:
        return self.spec.truth

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.form]

    def write(self, folder: Path, name: str) -> Path:
        path = folder / f"{name}{SUFFIXES[self.form]}"
        path.write_bytes(self.content)
        return path


# ----------------------------------------------------------------------------------------------- the documents
def make_spec(seed: int, *, pages: int | None = None) -> Spec:
    """A varied document, the same for the same seed: issuing body, type, number, date, summary, signer."""
    rng = random.Random(seed)
    place = rng.choice(WARDS)
    body_kind = rng.choice(("ubnd", "ubnd", "ubnd", "cong-an", "tram-y-te", "phong"))
    type_line, symbol = rng.choice(TYPES)
    issued = date(2023, 1, 2) + timedelta(days=rng.randrange(0, 730))
    if body_kind == "ubnd":
        if rng.random() < 0.5:
            parent, issuer_lines = "", (rng.choice(("ỦY BAN NHÂN DÂN", "UỶ BAN NHÂN DÂN")), f"PHƯỜNG {place.upper()}")
        else:
            parent, issuer_lines = "UBND THÀNH PHỐ HẠ LONG", (f"UBND PHƯỜNG {place.upper()}",)
        suffix, authority_body = "UBND", f"ỦY BAN NHÂN DÂN PHƯỜNG {place.upper()}"
        blocks = (("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"), ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"), ("CHỦ TỊCH",))
    elif body_kind == "cong-an":
        parent, issuer_lines = "CÔNG AN THÀNH PHỐ HẠ LONG", (f"CÔNG AN PHƯỜNG {place.upper()}",)
        suffix, authority_body = "CAP", f"CÔNG AN PHƯỜNG {place.upper()}"
        blocks = (("TRƯỞNG CÔNG AN PHƯỜNG",), ("KT. TRƯỞNG CÔNG AN PHƯỜNG", "PHÓ TRƯỞNG CÔNG AN PHƯỜNG"))
    elif body_kind == "tram-y-te":
        parent, issuer_lines = "TRUNG TÂM Y TẾ THÀNH PHỐ HẠ LONG", (f"TRẠM Y TẾ PHƯỜNG {place.upper()}",)
        suffix, authority_body = "TYT", f"TRẠM Y TẾ PHƯỜNG {place.upper()}"
        blocks = (("TRẠM TRƯỞNG",),)
    else:
        office, suffix = rng.choice((("PHÒNG NỘI VỤ", "NV"), ("PHÒNG VĂN HÓA VÀ THÔNG TIN", "VHTT")))
        parent, issuer_lines, authority_body = "UBND THÀNH PHỐ HẠ LONG", (office,), office
        blocks = (("TRƯỞNG PHÒNG",), ("KT. TRƯỞNG PHÒNG", "PHÓ TRƯỞNG PHÒNG"))
    n = 1 + issued.timetuple().tm_yday // 2 + rng.randrange(0, 40)
    if not symbol:
        number = f"{n}/{suffix}-{rng.choice(('VP', 'VHTT', 'TP'))}" if suffix == "UBND" else f"{n}/{suffix}"
    elif symbol == "QĐ" and rng.random() < 0.3:
        number = f"{n}/{issued.year}/QĐ-{suffix}"
    else:
        number = f"{n}/{symbol}-{suffix}"
    summary = rng.choice(SUMMARIES).format(year=issued.year, quarter=(issued.month - 1) // 3 + 1, place=place)
    if type_line == "QUYẾT ĐỊNH":
        summary = "Về việc " + summary[:1].lower() + summary[1:]
    block = rng.choice(blocks)
    signer = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
    target = pages if pages is not None else rng.choice((1, 1, 1, 2, 2, 3, 4, 6, 10))
    paragraphs = 2 + rng.randrange(0, 3) if target == 1 else target * 14 - 4
    body = tuple(rng.choice(SENTENCES) for _ in range(paragraphs))
    truth = Truth(
        number=number,
        issue_date=issued.isoformat(),
        issuer=" ".join(issuer_lines),
        doc_type=type_line or "CÔNG VĂN",
        summary=summary,
        signer=signer,
        signer_position=block[-1],
        place=place,
    )
    return Spec(
        truth=truth,
        parent=parent,
        issuer_lines=issuer_lines,
        type_line=type_line,
        authority=f"CHỦ TỊCH {authority_body}" if type_line == "QUYẾT ĐỊNH" and suffix == "UBND" else "",
        signer_block=block,
        body=body,
        pages=target,
        header_by_rows=rng.random() < 0.4,
        seed=seed,
    )


def dated(spec: Spec) -> str:
    """ "Giếng Đáy, ngày 05 tháng 3 năm 2024": days below 10 and months below 3 written with a leading zero."""
    day = date.fromisoformat(spec.truth.issue_date)
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{spec.truth.place}, ngày {day.day:02d} tháng {month} năm {day.year}"


# ------------------------------------------------------------------------------------------------------- forms
def text_pdf(spec: Spec) -> bytes:
    """The document as a word processor exports it: A4 pages with a text layer."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_margins(25, 15, 15)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    _header(pdf, spec)
    pdf.set_y(62 if spec.type_line else 58)
    if spec.type_line:
        pdf.set_font("DejaVu", "B", 13)
        pdf.cell(0, 7, spec.type_line, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "B", 11)
        pdf.set_x(40)
        pdf.multi_cell(130, 6, spec.truth.summary, align="C", new_x="LMARGIN", new_y="NEXT")
        if spec.authority:
            pdf.ln(3)
            pdf.cell(0, 6, spec.authority, align="C", new_x="LMARGIN", new_y="NEXT")
    else:
        pdf.set_font("DejaVu", "", 11)
        pdf.cell(0, 6, "Kính gửi: Ủy ban nhân dân thành phố Hạ Long", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("DejaVu", "", 10.5)
    for paragraph in spec.body:
        pdf.multi_cell(0, 5.6, "      " + paragraph, align="J", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5)
    if pdf.get_y() > 297 - 18 - 50:
        pdf.add_page()
    _signature(pdf, spec, pdf.get_y() + 6)
    return bytes(pdf.output())


def _header(pdf, spec: Spec) -> None:
    left: list[tuple[str, str, float]] = []  # text, style, size
    if spec.parent:
        left.append((spec.parent, "", 10.5))
    left += [(line, "B", 10.5) for line in spec.issuer_lines]
    right = [
        ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "B", 10.5),
        ("Độc lập - Tự do - Hạnh phúc", "B", 11),
    ]
    left_rows = [(15 + 5.5 * k, item) for k, item in enumerate(left)]
    number_y = 15 + 5.5 * len(left) + 5
    left_rows.append((number_y, (f"Số: {spec.truth.number}", "", 10.5)))
    right_rows = [(15 + 5.5 * k, item) for k, item in enumerate(right)]
    right_rows.append((number_y, (dated(spec), "", 10.5)))
    if spec.header_by_rows:
        rows = sorted([(y, 0, item) for y, item in left_rows] + [(y, 1, item) for y, item in right_rows])
    else:
        rows = [(y, 0, item) for y, item in left_rows] + [(y, 1, item) for y, item in right_rows]
    for y, column, (text, style, size) in rows:
        pdf.set_font("DejaVu", style, size)
        x, width = (15, 80) if column == 0 else (95, 105)
        pdf.set_xy(x, y)
        pdf.cell(width, 5, text, align="C")
    pdf.line(45, 15 + 5.5 * len(left) + 0.5, 65, 15 + 5.5 * len(left) + 0.5)
    pdf.line(125, 27.5, 170, 27.5)
    if not spec.type_line:
        pdf.set_font("DejaVu", "", 9.5)
        pdf.set_xy(20, number_y + 6)
        pdf.multi_cell(70, 4.5, f"V/v {spec.truth.summary}", align="C")


def _signature(pdf, spec: Spec, y: float) -> None:
    left = [("Nơi nhận:", "B", 9.5)] + [(f"- {r};" if r != RECIPIENTS[-1] else f"- {r}.", "", 9) for r in RECIPIENTS]
    right = [(line, "B", 10.5) for line in spec.signer_block]
    items = [(y + 5 * k, 0, item) for k, item in enumerate(left)] + [
        (y + 5.5 * k, 1, item) for k, item in enumerate(right)
    ]
    if spec.header_by_rows:
        items.sort()
    for y_, column, (text, style, size) in items:
        pdf.set_font("DejaVu", style, size)
        x, width = (25, 75) if column == 0 else (105, 90)
        pdf.set_xy(x, y_)
        pdf.cell(width, 5, text, align="L" if column == 0 else "C")
    pdf.set_font("DejaVu", "B", 10.5)
    pdf.set_xy(105, y + 5.5 * len(right) + 22)
    pdf.cell(90, 5, spec.truth.signer, align="C")


def page_images(pdf: bytes, dpi: int):
    """The pages of a PDF as grayscale images, one at a time."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        for index in range(len(document)):
            page = document[index]
            bitmap = page.render(scale=dpi / 72, grayscale=True)
            image = bitmap.to_pil().convert("L")
            bitmap.close()
            page.close()
            yield image
    finally:
        document.close()


def scanned_pdf(spec: Spec, *, dpi: int = 200, max_pages: int | None = None) -> bytes:
    """The printed pages scanned (the first `max_pages` of them): each rendered at `dpi`, turned by up to 1.2°,
    noise and a slight blur added, stored as JPEG pages of a PDF with no text layer."""
    rng = random.Random(spec.seed * 7 + 1)
    scans = []
    for image in page_images(text_pdf(spec), dpi):
        if max_pages is not None and len(scans) >= max_pages:
            break
        angle = rng.uniform(-1.2, 1.2)
        image = image.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
        noise = Image.effect_noise(image.size, 40)
        image = Image.blend(image, noise, 0.07).point(lambda v: min(255, v + 12))
        scans.append(image.filter(ImageFilter.GaussianBlur(0.5)))
    out = io.BytesIO()
    scans[0].save(out, "PDF", resolution=dpi, save_all=True, append_images=scans[1:], quality=75)
    return out.getvalue()


PHONE_SIZES = ((3024, 4032), (2448, 3264), (1920, 2560))  # 12 MP, 8 MP, and a photo sent through Zalo in HD


def phone_photo(spec: Spec, *, size: tuple[int, int] | None = None, sideways: bool | None = None) -> bytes:
    """The first page photographed on a desk: perspective, light falling off across the page, a slight blur, grain,
    JPEG at a phone's size (12 MP, 8 MP or 5 MP as Zalo sends it unless `size` is given); one photo in three stored
    sideways with EXIF orientation 6, as phones do."""
    rng = random.Random(spec.seed * 7 + 2)
    width, height = size or rng.choice(PHONE_SIZES)
    size = (width, height)
    page = next(page_images(text_pdf(spec), max(120, round(260 * height / 4032)))).convert("RGB")
    desk = Image.new("RGB", size, (rng.randrange(90, 150), rng.randrange(60, 100), rng.randrange(40, 70)))
    margin_x, margin_y = width * 0.06, height * 0.05

    def corner(x: float, y: float) -> tuple[float, float]:
        return x + rng.uniform(-1, 1) * width * 0.03, y + rng.uniform(-1, 1) * height * 0.02

    quad = [
        corner(margin_x, margin_y),
        corner(width - margin_x, margin_y),
        corner(width - margin_x, height - margin_y),
        corner(margin_x, height - margin_y),
    ]
    source = [(0, 0), (page.width, 0), (page.width, page.height), (0, page.height)]
    coefficients = _perspective(quad, source)
    warped = page.transform(size, Image.Transform.PERSPECTIVE, coefficients, Image.Resampling.BICUBIC)
    mask = Image.new("L", page.size, 255).transform(size, Image.Transform.PERSPECTIVE, coefficients)
    photo = Image.composite(warped, desk, mask)
    left, top = rng.randrange(0, 96), rng.randrange(0, 96)  # the lamp off the page's centre
    light = ImageOps.invert(Image.radial_gradient("L")).crop((left, top, left + 160, top + 160))
    light = light.resize(size, Image.Resampling.BILINEAR)
    low = rng.randrange(110, 170)
    light = light.point(lambda v: low + (255 - low) * v // 255)
    photo = ImageChops.multiply(photo, Image.merge("RGB", (light, light, light)))
    photo = photo.filter(ImageFilter.GaussianBlur(rng.uniform(0.8, 1.6)))
    grain = Image.effect_noise(size, 24).convert("RGB")
    photo = Image.blend(photo, grain, 0.06)
    exif = Image.Exif()
    exif[0x010F] = "Minh Chung test phone"
    if (rng.random() < 1 / 3) if sideways is None else sideways:
        photo = photo.transpose(Image.Transpose.ROTATE_90)  # the sensor's landscape pixels
        exif[0x0112] = 6  # rotate 90° clockwise to display
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=82, exif=exif)
    return out.getvalue()


def _perspective(target: list[tuple[float, float]], source: list[tuple[float, float]]) -> list[float]:
    """Pillow's PERSPECTIVE coefficients mapping each `target` corner (output) to its `source` corner (input)."""
    rows, values = [], []
    for (x, y), (u, v) in zip(target, source, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        values.append(u)
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        values.append(v)
    return _solve(rows, values)


def _solve(matrix: list[list[float]], values: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (8 unknowns: no numpy needed)."""
    n = len(values)
    a = [row[:] + [value] for row, value in zip(matrix, values, strict=True)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        a[col], a[pivot] = a[pivot], a[col]
        for r in range(n):
            if r != col:
                factor = a[r][col] / a[col][col]
                a[r] = [x - factor * y for x, y in zip(a[r], a[col], strict=True)]
    return [a[r][n] / a[r][r] for r in range(n)]


def docx(spec: Spec) -> bytes:
    """The document as Word keeps it: the header and the signature block as borderless two-column tables."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    document = Document()
    header = document.add_table(rows=1, cols=2)
    left, right = header.rows[0].cells
    lines = ([(spec.parent, False)] if spec.parent else []) + [(line, True) for line in spec.issuer_lines]
    lines.append((f"Số: {spec.truth.number}", False))
    if not spec.type_line:
        lines.append((f"V/v {spec.truth.summary}", False))
    _cell_lines(left, lines)
    _cell_lines(
        right,
        [("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", True), ("Độc lập - Tự do - Hạnh phúc", True), (dated(spec), False)],
    )
    if spec.type_line:
        for text in (spec.type_line, spec.truth.summary, spec.authority):
            if text:
                paragraph = document.add_paragraph()
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                paragraph.add_run(text).bold = True
    else:
        document.add_paragraph("Kính gửi: Ủy ban nhân dân thành phố Hạ Long").alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text in spec.body:
        paragraph = document.add_paragraph(text)
        paragraph.paragraph_format.first_line_indent = Pt(28)
    footer = document.add_table(rows=1, cols=2)
    recipients, signature = footer.rows[0].cells
    _cell_lines(recipients, [("Nơi nhận:", True)] + [(f"- {r};", False) for r in RECIPIENTS])
    _cell_lines(signature, [(line, True) for line in spec.signer_block] + [("", False), (spec.truth.signer, True)])
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _cell_lines(cell, lines: list[tuple[str, bool]]) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    first = True
    for text, bold in lines:
        paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
        first = False
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run(text).bold = bold


MAKERS = {"text_pdf": text_pdf, "scanned_pdf": scanned_pdf, "phone_photo": phone_photo, "docx": docx}


def sample(seed: int, form: str, *, pages: int | None = None) -> Sample:
    """One document in one form, the same for the same seed (a photo shows the first page only)."""
    spec = make_spec(seed, pages=1 if form == "phone_photo" else pages)
    return Sample(spec=spec, form=form, content=MAKERS[form](spec))


def corpus(per_form: int, *, seed: int = 18):
    """`per_form` documents of each form, each a different document, yielded one at a time."""
    for k in range(per_form):
        for number, form in enumerate(FORMS):
            yield sample(seed * 10_000 + k * len(FORMS) + number, form)


def with_pages(spec: Spec, pages: int) -> Spec:
    """The same document made `pages` pages long (the OCR timing of a 10-page scan)."""
    rng = random.Random(spec.seed)
    return replace(spec, pages=pages, body=tuple(rng.choice(SENTENCES) for _ in range(pages * 16)))


__all__ = ["FORMS", "Sample", "Spec", "Truth", "corpus", "make_spec", "sample"]
