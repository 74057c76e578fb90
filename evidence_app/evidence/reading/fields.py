"""Metadata proposed from a document's text, following the layout of Vietnamese administrative documents
(Nghị định 30/2020/NĐ-CP, Phụ lục I): the issuing body under its parent and the number top left, the national
motto and the place and date top right, the type and the summary (trích yếu) centred, the signer's block at the end.

The text may come from a text layer (either column order), from Word, or from OCR: diacritics lost or wrong, the two
header columns read line-interleaved ("UỶ BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), "Số" read as "Sô"
or "S6". Patterns are therefore matched on a folded copy of each line (no diacritics, upper case, one character
for one, so that a match's position is also its position in the line as written) and values are cut from the
line as written. Only what was found is proposed; the uploader confirms or corrects it.

Decisions: `issuer` is proposed in normal case ("UBND PHƯỜNG GIẾNG ĐÁY" → "UBND phường Giếng Đáy"), as the app
keeps issuers; `signer_position` is the signer's own title as written ("PHÓ CHỦ TỊCH", not "KT. CHỦ TỊCH");
`doc_type` is the type's canonical name ("KẾ HOẠCH"; "CÔNG VĂN" for a letter with "V/v" and no type line);
`summary` is as written, lines joined.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

HEADER_LINES = 16  # non-empty lines at the top where the header is looked for
SIGNATURE_LINES = 30  # non-empty lines at the end where the signer's block is looked for
MAX_SUMMARY_LINES = 4
LONG_LINE = 72  # characters: a body line, not a centred summary line (60–65 characters at most)

_FOLD_EXTRA = {"đ": "d", "Đ": "D", "Ð": "D", "ð": "d", "Ø": "O", "ø": "o"}


def fold(text: str) -> str:
    """Upper case without diacritics, one character for one: "Số: 12/QĐ" → "SO: 12/QD"."""
    out = []
    for ch in text:
        base = _FOLD_EXTRA.get(ch) or unicodedata.normalize("NFD", ch)[:1] or ch
        out.append(base.upper() if len(base.upper()) == 1 else base)
    return "".join(out)


# What the right column of the header says, cut out of interleaved lines.
_MOTTO = re.compile(r"C[O0Q]N[GQ]\s*H[O0]A\b.*?(?:\bN[A4]M\b|$)")
# the motto broken across lines by OCR: "... HẠ LONG CỘNG" / "HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
_MOTTO_PARTS = re.compile(
    r"\bC[O0Q]N[GQ]\s*$|\bH[O0]A\s*X[A4]\s*H[O0]I\b.*?(?:\bN[A4]M\b|$)|\bCHU\s*NGH[I1L]A\b.*?(?:\bN[A4]M\b|$)"
)
_MOTTO_2 = re.compile(r"D[O0]C\s*L[A4][PF]\W*T[UV]\s*D[O0](?:.*?H[A4]NH\s*PH[UV]C\b\W*)?")
_RULES = re.compile(r"[-_=~.…*]{3,}")
_NUMBER = re.compile(
    r"(?:^|[^A-Z0-9])S[O0Ô6Q]\s*[:;.,]?\s*(?P<n>\d{1,5}[A-Z]?)(?:\s*[/|]\s*|[IL](?=[A-Z]{2}))"
    r"(?P<symbol>(?:(?:19|20)\d\d\s*/\s*)?[A-Z][A-Z0-9]{0,7}(?:\s*[-–—_]\s*[A-Z][A-Z0-9]{0,7}){0,3})"
)
_DATE_WORDS = re.compile(
    r"N\s*G\s*[A-Z]{0,2}\s*Y\s*(?P<d>\d{1,2})\s*T\s*H\s*[A-Z]{1,2}\s*N\s*G\s*(?P<m>\d{1,2})\s*N\s*[A-Z]{1,2}\s*M\s*"
    r"(?P<y>(?:19|20)\d\d)"
)
_DATE_DIGITS = re.compile(
    r"N\s*G\s*[A-Z]{0,2}\s*Y\s*(?P<d>\d{1,2})\s*[/.-]\s*(?P<m>\d{1,2})\s*[/.-]\s*(?P<y>(?:19|20)\d\d)"
)
_VV = re.compile(r"^\W{0,3}V\s*[/|lI1]\s*[VY]\b\.?:?\s*")
_GENERIC_BODIES = {"UY BAN NHAN DAN", "HOI DONG NHAN DAN", "UBND", "HDND"}
# folded type line → as it is written
_TYPES = {
    fold(name).replace(" ", ""): name
    for name in (
        "QUYẾT ĐỊNH",
        "KẾ HOẠCH",
        "BÁO CÁO",
        "THÔNG BÁO",
        "TỜ TRÌNH",
        "BIÊN BẢN",
        "CHƯƠNG TRÌNH",
        "HƯỚNG DẪN",
        "NGHỊ QUYẾT",
        "CHỈ THỊ",
        "QUY CHẾ",
        "QUY ĐỊNH",
        "THÔNG CÁO",
        "CÔNG ĐIỆN",
        "GIẤY MỜI",
        "GIẤY GIỚI THIỆU",
        "GIẤY NGHỈ PHÉP",
        "PHIẾU GỬI",
        "PHIẾU CHUYỂN",
        "PHIẾU BÁO",
        "ĐỀ ÁN",
        "PHƯƠNG ÁN",
        "DỰ ÁN",
        "HỢP ĐỒNG",
        "GIẤY ỦY QUYỀN",
        "BẢN GHI NHỚ",
        "BẢN THỎA THUẬN",
        "THƯ CÔNG",
    )
}
_SYMBOLS = {"QD": "QĐ", "TTR": "TTr", "CTR": "CTr", "HDND": "HĐND", "DU": "ĐU", "DA": "ĐA", "QDI": "QĐi"}
_POSITIONS = ("CHU TICH", "TRUONG", "GIAM DOC", "BI THU", "CHANH", "THU TRUONG", "KE TOAN", "TONG BIEN TAP")
_BODY_OPENERS = ("CAN CU", "THUC HIEN", "KINH GUI", "XET DE NGHI", "THEO DE NGHI", "NHAM ", "DIEU 1")
_ADMIN_LEVELS = ("PHUONG", "XA", "THI TRAN", "THANH PHO", "TINH", "QUAN", "HUYEN", "THI XA", "DAC KHU")
_ACRONYMS = {"UBND", "HDND", "MTTQ", "CAND", "QDND", "BCH", "BCD", "TTYT", "VHTT", "TDP", "HTX", "THCS", "THPT"}
_SURNAMES = {
    fold(name)
    for name in (
        "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Đào Trịnh Mai Lương Vương "
        "Tạ Hà Cao Lưu Tô Đoàn Thái Lâm Phùng Quách Triệu Kiều Hứa Chu Văn Lại Tăng Mạc Khúc Nông Lò Hầu Giáp Đồng "
        "Thân Âu Khổng Lục Ninh Tống Viên Ông Nghiêm Đàm Đào Bạch Châu Diệp Doãn Hàn Kim La Lạc Lã Mạc Quan Tôn"
    ).split()
}
_NAME_WORD = re.compile(r"^[^\W\d_][^\W\d_A-Z]*$")


def propose_fields(text: str) -> dict[str, str]:
    """number, issue_date (ISO), place, issuer, doc_type, summary, signer, signer_position: those found."""
    raw = unicodedata.normalize("NFC", text).replace("\f", "\n").splitlines()
    lines = [_clean(line) for line in raw]
    indented = {k for k, line in enumerate(raw) if line.startswith(("   ", "\t")) and line.strip()}
    fields: dict[str, str] = {}
    top = _top_lines(lines)
    number_at = _number(top, fields)
    date_at = _issue_date(top, fields)
    _issuer(top, number_at if number_at is not None else date_at, fields)
    _type_and_summary(lines, top, indented, fields)
    _signer(lines, fields)
    return fields


def _clean(line: str) -> str:
    return re.sub(r"\s+", " ", line.replace("\u00a0", " ")).strip()


def _top_lines(lines: list[str]) -> list[tuple[int, str]]:
    """The header: the first non-empty lines (at most HEADER_LINES) with their index, up to the type line or the
    body, so that a date or a number quoted in the body is never taken for the document's."""
    top = []
    for k, line in [(k, line) for k, line in enumerate(lines) if line][:HEADER_LINES]:
        folded = fold(line)
        if _type_of(line) or folded.startswith(_BODY_OPENERS) or len(line) > 2 * LONG_LINE:
            break
        top.append((k, line))
    return top


def _without_motto(line: str) -> str:
    """The line with the right column's motto cut out, and rules ("------") removed."""
    folded = fold(line)
    for pattern in (_MOTTO, _MOTTO_PARTS, _MOTTO_2, _RULES):
        match = pattern.search(folded)
        while match and match.end() > match.start():
            line = line[: match.start()] + " " + line[match.end() :]
            folded = folded[: match.start()] + " " + folded[match.end() :]
            match = pattern.search(folded)
    return _clean(line)


# --------------------------------------------------------------------------------------------- number and date
def _number(top: list[tuple[int, str]], fields: dict[str, str]) -> int | None:
    for k, line in top:
        match = _NUMBER.search(fold(line))
        if match:
            fields["number"] = _number_as_written(line, match)
            return k
    return None


def _number_as_written(line: str, match: re.Match) -> str:
    n = line[match.start("n") : match.end("n")]
    parts = re.split(r"\s*/\s*", line[match.start("symbol") : match.end("symbol")].strip())
    symbols = []
    for part in parts:
        tokens = [t for t in re.split(r"\s*[-–—_]\s*", part) if t]
        symbols.append("-".join(_SYMBOLS.get(fold(t), t.replace("Ð", "Đ")) for t in tokens))
    return "/".join([n, *symbols])


def _issue_date(top: list[tuple[int, str]], fields: dict[str, str]) -> int | None:
    """The first date of the header written after a place (", ngày ..."), else the first date of the header."""
    candidates = []
    for k, line in top:
        folded = fold(line)
        for pattern in (_DATE_WORDS, _DATE_DIGITS):
            for match in pattern.finditer(folded):
                day = _valid_date(match)
                if day is not None:
                    after_place = bool(re.search(r",\s*$", folded[: match.start()]))
                    candidates.append((not after_place, k, day, line, match))
    if not candidates:
        return None
    candidates.sort(key=lambda c: (c[0], c[1]))
    _, k, day, line, match = candidates[0]
    fields["issue_date"] = day.isoformat()
    place = _place(line[: match.start()])
    if place:
        fields["place"] = place
    return k


def _valid_date(match: re.Match) -> date | None:
    try:
        return date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        return None


def _place(before: str) -> str | None:
    """The capitalised words just before ", ngày": "Số: 12/KH-UBND Giếng Đáy," → "Giếng Đáy"."""
    before = _without_motto(before).rstrip(" ,.")
    match = _NUMBER.search(fold(before))
    if match:
        before = before[match.end() :]
    words = before.split()
    place: list[str] = []
    for word in reversed(words):
        if not word[:1].isupper() or len(place) >= 4 or not word.strip(".").isalpha():
            break
        place.insert(0, word)
    return " ".join(place) or None


# ------------------------------------------------------------------------------------------------------ issuer
def _issuer(top: list[tuple[int, str]], end: int | None, fields: dict[str, str]) -> None:
    """The upper-case lines above the number: the parent body then the issuing body, or the issuing body alone on
    one or two lines ("ỦY BAN NHÂN DÂN" / "PHƯỜNG GIẾNG ĐÁY")."""
    if end is None:
        return
    lines = []
    for k, line in top:
        if k >= end:
            break
        line = _without_motto(line)
        if _mostly_upper(line):
            lines.append(line)
    if not lines:
        return
    if len(lines) > 1 and fold(lines[0]).strip(" .") not in _GENERIC_BODIES:
        lines = lines[1:]  # the parent body
    fields["issuer"] = normal_case(" ".join(lines[:2]))


def _mostly_upper(line: str) -> bool:
    letters = [ch for ch in line if ch.isalpha()]
    return len(letters) >= 3 and sum(ch.isupper() for ch in letters) >= 0.8 * len(letters)


def normal_case(name: str) -> str:
    """An upper-case body's name as the app writes it: acronyms kept, common words lower case, the first word
    capitalised, the place after the last administrative level in title case ("UBND PHƯỜNG GIẾNG ĐÁY" →
    "UBND phường Giếng Đáy")."""
    words = name.split()
    folded = [fold(word) for word in words]
    place_from = len(words)
    for k in range(len(words) - 1):
        for level in _ADMIN_LEVELS:
            size = len(level.split())
            if " ".join(folded[k : k + size]) == level and k + size < len(words):
                place_from = k + size
    out = []
    for k, word in enumerate(words):
        if k >= place_from:
            out.append(word[:1].upper() + word[1:].lower())
        elif folded[k] in _ACRONYMS or (word.isupper() and not any(ch in "AEIOUY" for ch in folded[k])):
            out.append(word)  # UBND, HĐND, MTTQ: an acronym, not a word
        elif k == 0:
            out.append(word[:1].upper() + word[1:].lower())
        else:
            out.append(word.lower())
    return " ".join(out)


# ------------------------------------------------------------------------------------------ type and summary
def _type_and_summary(lines: list[str], top: list[tuple[int, str]], indented: set[int], fields: dict[str, str]) -> None:
    after_header = top[-1][0] + 1 if top else 0
    for k, line in [(k, line) for k, line in enumerate(lines) if line and k >= after_header][:12]:
        name = _type_of(line)
        if name:
            fields["doc_type"] = name
            summary = _following(lines, k + 1, indented)
            if summary:
                fields["summary"] = summary
            return
    for k, line in top:
        match = _VV.search(fold(_without_motto(line)))
        if match:
            fields["doc_type"] = "CÔNG VĂN"
            first = _without_motto(line)[match.end() :].strip()
            summary = _following(lines, k + 1, indented, first=first)
            if summary:
                fields["summary"] = summary
            return


def _type_of(line: str) -> str | None:
    """The type's name when the line is a type line: upper case, the type alone (OCR specks aside)."""
    if not _mostly_upper(line):
        return None
    letters = re.sub(r"[^A-Z]", "", fold(line))
    for key, name in _TYPES.items():
        if letters == key or (letters.startswith(key) and len(letters) - len(key) <= 1):
            return name
    return None


def _following(lines: list[str], start: int, indented: set[int], *, first: str = "") -> str:
    """The summary: the lines after the type line (or the rest of the "V/v" line), up to the body. Its first line
    is taken unless it is plainly the body (indented, a whole paragraph, "Căn cứ ...", upper case); a further line
    only while it still looks like a centred summary line (short, not opening a sentence of the body). A line
    longer than a summary line's width is a Word paragraph: the whole summary."""
    parts = [first] if first else []
    k = start
    while k < len(lines) and not parts and not lines[k]:
        k += 1  # OCR: an empty line between the type and the summary
    while k < len(lines) and len(parts) < MAX_SUMMARY_LINES:
        line = lines[k]
        if not line or k in indented or _mostly_upper(line) or not _summary_line(line, first_line=not parts):
            break
        parts.append(line)
        k += 1
        if len(line) > LONG_LINE:
            break
    return _clean(" ".join(parts)).strip(" ;,.")


def _summary_line(line: str, *, first_line: bool) -> bool:
    folded = fold(line)
    if folded.startswith(("CAN CU", "KINH GUI")) or len(line) > 2 * LONG_LINE or _DATE_WORDS.search(folded):
        return False
    if first_line:
        return True
    return not (
        len(line) > LONG_LINE
        or folded.startswith(_BODY_OPENERS)
        or _MOTTO.search(folded)
        or re.match(r"^(DIEU|[IVX]+\.|\d+\.)\s", folded)
    )


# -------------------------------------------------------------------------------------------------------- signer
def _signer(lines: list[str], fields: dict[str, str]) -> None:
    """The signer's title (the last upper-case title line near the end) and the name below it."""
    tail = [(k, line) for k, line in enumerate(lines) if line][-SIGNATURE_LINES:]
    position_at = None
    for index in range(len(tail) - 1, -1, -1):
        title = _trailing_upper(tail[index][1])
        if title and any(word in fold(title) for word in _POSITIONS):
            position_at = index
            break
    if position_at is None:
        return
    title = _trailing_upper(tail[position_at][1])
    fields["signer_position"] = re.sub(r"^(TM|KT|TL|TUQ|Q)\s*\.\s*", "", title)
    for _, line in tail[position_at + 1 : position_at + 8]:
        name = _trailing_name(line)
        if name:
            fields["signer"] = name
            return


def _trailing_upper(line: str) -> str:
    """The upper-case words that end the line ("Nơi nhận: TM. ỦY BAN NHÂN DÂN" → "TM. ỦY BAN NHÂN DÂN")."""
    words = line.split()
    run: list[str] = []
    for word in reversed(words):
        letters = [ch for ch in word if ch.isalpha()]
        if not letters or not all(ch.isupper() for ch in letters) or word.endswith((":", ";")):
            break
        run.insert(0, word)
    text = " ".join(run)
    return text if sum(ch.isalpha() for ch in text) >= 4 else ""


def _trailing_name(line: str) -> str | None:
    """A person's name ending the line: 2 to 5 capitalised words, the first a Vietnamese family name."""
    words = re.sub(r"[^\w\s]", " ", line).split()
    run: list[str] = []
    for word in reversed(words):
        if not _NAME_WORD.match(word) or not word[:1].isupper() or len(run) >= 5:
            break
        run.insert(0, word)
    for start in range(len(run) - 1):
        if fold(run[start]) in _SURNAMES:
            return " ".join(run[start:])
    return None
