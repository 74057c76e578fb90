"""The demo's ten weeks, ward by ward, in the calendar of the shipped catalogs (2024: the history runs from Monday
26/08 to Wednesday 30/10, the demo's "today" falls between 31/10 and 06/11, the CCHC assessment on 15/12);
`Cycle` moves all of it into the demo's cycle.

- **Giếng Đáy** (the real ward, its real 2023 results): a realistic mix. Most departments upload the year's
  plans and decisions in the first weeks and the focal officer reviews them within days; the Q1 and 6-month CCHC
  reports were sent on time, the 9-month report five days late (its points are lost); a plan sent back unsigned
  and resubmitted signed, a scan sent back as illegible and resubmitted, a decision sent back as out of period and
  resubmitted (still waiting), a list sent back as incomplete and not yet resubmitted; a document number corrected
  by its uploader before review; measurements with a trend on the ratio criteria (records in work files, official
  e-mail, satisfaction surveys, VNeID, e-health records…); the community teams and the health station lag behind;
  a first draft of CCHC self-scores, far above what the evidence supports (the deviation warning), and a prudent one
  for QN-DTI.
- **Hà Khẩu** (diligent): uploads steadily from the first week, criterion after criterion (first those where points
  were lost last year), every department at a steady pace, every report on time, reviews within a day or two, one
  statistic uploaded once for a CCHC and a QN-DTI criterion, measurements at or near their targets, prudent
  self-scores.
- **Cao Xanh** (last minute): nothing for eight weeks, then a rush of uploads in the last two; the 9-month report
  never sent; few decisions yet.
- **Hà Phong** (idle): users, no document at all."""

from __future__ import annotations

from datetime import date, timedelta

from .seed import Plan, stable

# --------------------------------------------------------------------------------------------------- Giếng Đáy
R = "reviewer"
# (item, uploaded (day, month, hour, minute), outcome, options); outcome as in Plan.story
GIENG_DAY = [
    # week 1: the focal officer starts with the year's plans, decisions and the reports already sent
    ("CCHC-1.4-a", (26, 8, 9, 10), "approved", {}),
    (
        "CCHC-3.2-a",
        (26, 8, 9, 40),
        "resubmitted_approved",
        {
            "reason": "unsigned",
            "comment": "Bản scan chưa có chữ ký số của lãnh đạo UBND phường; tải bản đã ký số từ hệ thống quản lý văn bản.",
        },
    ),
    ("CCHC-4.2-a", (27, 8, 8, 50), "approved", {}),
    ("CCHC-1.1-a", (27, 8, 10, 15), "approved", {"sent": (12, 3)}),
    ("CCHC-1.1-b", (28, 8, 8, 40), "approved", {"sent": (11, 6), "pages": 2}),
    ("CCHC-5.2-a", (28, 8, 15, 0), "approved", {"lag": 2}),
    ("QN-DTI-1.2-a", (29, 8, 10, 0), "approved", {}),
    # week 2 (02–03/09 are the National Day holiday)
    ("CCHC-2.1-a", (4, 9, 9, 0), "approved", {}),
    ("CCHC-6.1-a", (5, 9, 14, 0), "approved", {}),
    (
        "CCHC-6.1-b",
        (5, 9, 14, 30),
        "resubmitted_approved",
        {
            "reason": "illegible",
            "comment": "Bản chụp mờ, không đọc được số liệu cột giải ngân; đề nghị tải bản PDF xuất từ phần mềm.",
            "redo": 3,
        },
    ),
    ("QN-DTI-2.1-a", (6, 9, 8, 30), "approved", {"lag": 1}),
    # week 3
    ("QN-DTI-2.3-a", (9, 9, 9, 15), "approved", {"sent": (12, 6)}),
    ("QN-DTI-1.1-a", (9, 9, 10, 0), "approved", {}),
    ("CCHC-3.1-a", (10, 9, 8, 45), "approved", {}),
    ("CCHC-7.1-a", (10, 9, 9, 10), "approved", {}),
    ("CCHC-7.5-b", (10, 9, 9, 30), "approved", {"lag": 2}),
    ("CCHC-7.2-a", (11, 9, 8, 50), "approved", {}),
    ("CCHC-7.3-a", (11, 9, 9, 10), "approved", {}),
    ("QN-DTI-3.7-a", (11, 9, 15, 10), "approved", {"lag": 2}),
    (
        "QN-DTI-5.1-a",
        (12, 9, 10, 0),
        "resubmitted",
        {
            "reason": "out_of_period",
            "issued": (14, 7, 2023),
            "comment": "Quyết định phân công từ năm trước, chưa cập nhật nhân sự năm nay; đề nghị ban hành quyết định mới.",
            "redo": 24,
        },
    ),
    # week 4: the 9-month CCHC report was sent on 18/09, five days after its deadline (13/09)
    ("QN-DTI-8.2-b", (18, 9, 14, 0), "approved", {}),
    ("CCHC-1.1-c", (19, 9, 8, 20), "approved", {"sent": (18, 9), "pages": 2}),
    # weeks 5–6
    ("CCHC-8.1-a", (24, 9, 9, 30), "approved", {}),
    (
        "QN-DTI-5.3-a",
        (27, 9, 9, 15),
        "sent_back",
        {"reason": "incomplete", "comment": "Danh sách mới có 12/18 máy tính; bổ sung các máy của Bộ phận một cửa."},
    ),
    ("QN-DTI-1.2-b", (30, 9, 8, 45), "approved", {"issued": (26, 9)}),
    ("QN-DTI-3.1-a", (2, 10, 10, 0), "approved", {"issued": (17, 6)}),
    # weeks 7–8: the barcode reader is installed
    ("QN-DTI-3.1-b", (8, 10, 9, 0), "approved", {"issued": (4, 10)}),
    ("QN-DTI-3.1-c", (8, 10, 9, 10), "approved", {"issued": (7, 10)}),
    ("CCHC-4.3-a", (9, 10, 14, 0), "approved", {}),
    ("CCHC-3.5-b", (10, 10, 10, 30), "approved", {"issued": (9, 10)}),
    ("CCHC-2.4-a", (14, 10, 9, 0), "approved", {"lag": 2}),
    ("CCHC-1.3-a", (15, 10, 10, 0), "approved", {"issued": (25, 3)}),
    # weeks 9–10: more is waiting for the reviewer
    ("QN-DTI-3.3-a", (22, 10, 9, 0), "approved", {"lag": 2, "issued": (18, 10)}),
    ("CCHC-3.2-b", (24, 10, 9, 30), "approved", {}),
    ("CCHC-6.2-b", (23, 10, 14, 20), "approved", {"lag": 2}),
    ("QN-DTI-1.4-b", (25, 10, 9, 0), "waiting", {}),
    ("CCHC-8.3-a", (28, 10, 9, 10), "waiting", {}),
    ("QN-DTI-8.3-a", (29, 10, 15, 0), "waiting", {"issued": (25, 10)}),
    ("QN-DTI-3.3-b", (30, 10, 8, 40), "waiting", {"issued": (29, 10)}),
]

GIENG_DAY_MEASUREMENTS = [
    # (index, criterion, by, [(day, month, numerator, denominator)], source)
    (
        "CCHC",
        "7.2",
        "cb-vp-tk",
        [(30, 8, 612, 1020), (27, 9, 781, 1090), (25, 10, 905, 1150)],
        "Hệ thống quản lý văn bản và điều hành: văn bản đến đã đưa vào hồ sơ công việc / tổng số văn bản đến",
    ),
    (
        "CCHC",
        "7.3",
        "cb-vp-tk",
        [(30, 8, 18, 24), (4, 10, 20, 24), (25, 10, 21, 24)],
        "Hòm thư công vụ tỉnh: công chức có sử dụng trong tháng / tổng số công chức",
    ),
    (
        "CCHC",
        "3.1",
        "cb-mot-cua",
        [(6, 9, 236, 2000), (4, 10, 290, 2164), (25, 10, 322, 2284)],
        "Hệ thống đánh giá mức độ hài lòng tại Bộ phận một cửa: lượt đánh giá / hồ sơ đã trả kết quả",
    ),
    (
        "CCHC",
        "7.1",
        "cb-mot-cua",
        [(30, 8, 1972, 2000), (25, 10, 2301, 2315)],
        "Hệ thống thông tin giải quyết TTHC tỉnh: hồ sơ được số hoá / hồ sơ tiếp nhận",
    ),
    (
        "CCHC",
        "6.1",
        "cb-tc-kt",
        [(30, 9, 3560, 5000), (25, 10, 4125, 5000)],
        "Kho bạc Nhà nước Hạ Long: vốn đầu tư công đã giải ngân / kế hoạch vốn (triệu đồng)",
    ),
    (
        "CCHC",
        "8.1",
        "cb-vp-tk",
        [(30, 9, 2, None)],
        "Quyết định khen thưởng hiện có: Giấy khen của UBND Thành phố (mức 2)",
    ),
    (
        "QN-DTI",
        "8.2",
        "cb-cong-an",
        [(30, 8, 11950, 14560), (30, 9, 12430, 14560), (25, 10, 12800, 14560)],
        "Công an phường: công dân có tài khoản định danh điện tử / dân số",
    ),
    (
        "QN-DTI",
        "8.3",
        "cb-tram-y-te",
        [(6, 9, 5600, 14560), (25, 10, 7620, 14560)],
        "Trạm Y tế phường: người dân có hồ sơ sức khỏe điện tử / dân số",
    ),
    (
        "QN-DTI",
        "8.1",
        "cb-vh-tt",
        [(6, 9, 870, 3950), (18, 10, 1620, 3950)],
        "Nền tảng địa chỉ số: hộ gia đình được gắn địa chỉ số / tổng số hộ",
    ),
    (
        "QN-DTI",
        "8.4",
        "cb-tc-kt",
        [(30, 9, 8690, 11650), (25, 10, 8870, 11650)],
        "Số liệu các ngân hàng trên địa bàn: người từ 15 tuổi có tài khoản / dân số từ 15 tuổi",
    ),
    (
        "QN-DTI",
        "7.1",
        "cb-vh-tt",
        [(30, 9, 62, 419), (25, 10, 80, 419)],
        "Danh sách hộ kinh doanh có giao dịch thương mại điện tử / tổng số hộ kinh doanh",
    ),
    ("QN-DTI", "5.1", "cb-vp-tk", [(12, 9, 2, None)], "Quyết định phân công: công chức kiêm nhiệm CNTT (mức 2)"),
]

# The meetings of the Ban chỉ đạo chuyển đổi số (QN-DTI 1.2, counted in the year): each entered on 27/09 as one
# event dated the day it met, its minutes as the source; the Q4 meeting is still to be held.
GIENG_DAY_MEETINGS = [
    ((22, 3), "Biên bản họp Ban chỉ đạo chuyển đổi số số 01/BB-BCĐ"),
    ((21, 6), "Biên bản họp Ban chỉ đạo chuyển đổi số số 02/BB-BCĐ"),
    ((26, 9), "Biên bản họp Ban chỉ đạo chuyển đổi số số 03/BB-BCĐ"),
]

# The focal officer's first draft of the self-scores: for CCHC, full marks where the evidence does not support
# them (the deviation warning); for QN-DTI, only criteria whose evidence is approved.
GIENG_DAY_SELF_SCORES = [
    ("CCHC", "1.1", 2),
    ("CCHC", "1.2", 1),
    ("CCHC", "1.3", 1),
    ("CCHC", "3.1", 1),
    ("CCHC", "5.1", 3),
    ("CCHC", "6.1", 1),
    ("CCHC", "7.2", 3),
    ("CCHC", "7.3", 3),
    ("CCHC", "8.1", 2),
    ("QN-DTI", "2.1", 10),
    ("QN-DTI", "2.4", 10),
]


class WardPlan(Plan):
    """A ward whose staff are one user per department (Giếng Đáy: cb-<department>) or one user for all."""

    def __init__(self, *args, staff: str | None = None, reviewer: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.staff, self.reviewer = staff, reviewer

    def uploader(self, code: str) -> str:
        return self.staff or f"cb-{self.owners[code]}"

    def when(self, day: int, month: int, hour: int = 9, minute: int = 0):
        return self.cycle.at(self.cycle.day(day, month), hour, minute)

    def on(self, dm: tuple | None, year_default: int = 2024) -> date | None:
        if dm is None:
            return None
        day, month, *year = dm
        return self.cycle.day(day, month, year[0] if year else year_default)


def plan_gieng_day(plan: WardPlan) -> None:
    for code, (day, month, hour, minute), outcome, options in GIENG_DAY:
        options = dict(options)
        for name in ("sent", "issued"):
            if name in options:
                options[name] = plan.on(options[name])
        plan.story(code, plan.when(day, month, hour, minute), reviewer=R, outcome=outcome, **options)
    # a number typed wrong, corrected by its uploader the same afternoon, before review
    code = "CCHC-2.2-b"
    uploaded = plan.when(21, 10, 9, 30)
    doc = plan.document(code, issued=plan.cycle.day(18, 10))
    right = doc.fields.number
    doc.fields.number = right.replace("BC-UBND", "BC-UBD")
    plan.upload("typo", uploaded, "cb-tu-phap", [code], doc)
    plan.edit("typo", plan.when(21, 10, 15, 45), "cb-tu-phap", number=right)
    plan.decide("typo", code, plan.when(23, 10, 10, 5), R)
    # the self-scoring sheet is the reviewer's own upload: the administrator decides on it (four eyes)
    plan.story(
        "CCHC-8.2-b", plan.when(29, 10, 16, 0), by=R, reviewer="admin", outcome="waiting", issued=plan.cycle.day(29, 10)
    )
    for index, criterion, by, points, source in GIENG_DAY_MEASUREMENTS:
        for day, month, numerator, denominator in points:
            plan.measure(index, criterion, plan.when(day, month, 16, 10), by, numerator, denominator, source=source)
    for met, source in GIENG_DAY_MEETINGS:
        plan.measure("QN-DTI", "1.2", plan.when(27, 9, 16, 20), "cb-vp-tk", 1, measured_on=plan.on(met), source=source)
    for index, criterion, score in GIENG_DAY_SELF_SCORES:
        plan.self_score(
            index,
            criterion,
            plan.when(28, 10, 15, 0),
            R,
            score,
            note="Bản tự chấm dự kiến lần 1" if index == "CCHC" else "Đã đủ minh chứng được duyệt",
        )


# ----------------------------------------------------------------------------------------- the other wards
HISTORY_FIRST, HISTORY_LAST = date(2024, 8, 26), date(2024, 10, 30)  # in the shipped catalogs' calendar
HOLIDAYS = (date(2024, 9, 2), date(2024, 9, 3))


def _spread(n: int, first: date, last: date) -> list[date]:
    """n working days spread evenly from `first` to `last` (in the shipped catalogs' calendar)."""
    days = [first + timedelta(days=k) for k in range((last - first).days + 1)]
    days = [d for d in days if d.weekday() < 5 and d not in HOLIDAYS]
    return [days[min(len(days) - 1, k * len(days) // max(1, n))] for k in range(n)]


def _items_of(plan: Plan, criteria: list[str]) -> list[str]:
    """The items of these criteria ("CCHC 1.1"), in due-date order."""
    wanted = {tuple(c.split()) for c in criteria}
    codes = [code for code in plan.specs if tuple(code.rsplit("-", 2)[:2]) in wanted]
    return sorted(codes, key=lambda c: (plan.specs[c].due, c))


# Hà Khẩu works criterion by criterion, first those where points were lost last year, every department at a
# steady pace.
DILIGENT = [
    "CCHC 1.1",
    "CCHC 1.3",
    "CCHC 2.2",
    "CCHC 3.1",
    "CCHC 4.2",
    "CCHC 6.2",
    "CCHC 7.1",
    "CCHC 7.2",
    "CCHC 7.3",
    "QN-DTI 2.1",
    "QN-DTI 2.2",
    "QN-DTI 2.3",
    "QN-DTI 2.4",
    "QN-DTI 5.1",
    "QN-DTI 5.2",
    "QN-DTI 5.3",
    "QN-DTI 5.4",
    "QN-DTI 6.4",
    "QN-DTI 8.2",
    "QN-DTI 8.3",
]


# One document proves several criteria, in CCHC and in QN-DTI at once: uploaded once, linked to both.
SAME_DOCUMENT = {"CCHC-7.1-b": "QN-DTI-6.4-a", "CCHC-7.2-b": "QN-DTI-6.1-b", "CCHC-7.3-b": "QN-DTI-6.2-a"}


def _steady(plan: Plan, codes: list[str]) -> list[str]:
    """`codes` in the order a steady ward uploads them: each department (per index) in turn, its items by due
    date, every department's last item in the last round, so that each keeps a recent pace."""
    groups: dict[tuple[str, str], list[str]] = {}
    for code in codes:
        groups.setdefault((code.rsplit("-", 2)[0], plan.owners[code]), []).append(code)
    rounds = max(len(g) for g in groups.values())
    order = []
    for r in range(rounds):
        for group in groups.values():
            k = r - (rounds - len(group))
            if k >= 0:
                order.append(group[k])
    return order


# Cao Xanh, in its rush, starts with the reports it did send on time and a few plans.
LAST_MINUTE = ["CCHC 1.1", "CCHC 2.2", "CCHC 4.2", "CCHC 5.2", "QN-DTI 2.1", "QN-DTI 2.3", "QN-DTI 2.4"]


def plan_diligent(plan: WardPlan) -> None:
    """Hà Khẩu: criterion after criterion, every report on time, approved within two days (one document sent back
    as incomplete and resubmitted); near-target measurements; prudent self-scores."""
    codes = []
    for code in _items_of(plan, DILIGENT):
        item = plan.specs[code]
        if item.report is not None and item.report.deadline - plan.cycle.shift > HISTORY_LAST:
            continue  # a report not due yet
        if item.due - plan.cycle.shift > date(2024, 11, 29):
            continue  # the fourth quarter's meeting has not taken place
        codes.append(code)
    also = {code: (SAME_DOCUMENT[code],) for code in codes if SAME_DOCUMENT.get(code) in codes}
    codes = _steady(plan, [c for c in codes if c not in {partner for (partner,) in also.values()}])
    days = _spread(len(codes), HISTORY_FIRST, date(2024, 10, 29))
    for k, (code, day) in enumerate(zip(codes, days)):
        item = plan.specs[code]
        at = plan.cycle.at(day + plan.cycle.shift, 8 + k % 8, (k * 17) % 60)
        sent = None
        if item.report is not None:
            sent = min(
                item.report.deadline - timedelta(days=2 + int(stable("hk-sent" + code) * 3)),
                at.date() - timedelta(days=1),
            )
        options = {}
        if k == len(codes) // 3:
            options = {
                "outcome": "resubmitted_approved",
                "reason": "incomplete",
                "comment": "Thiếu phụ lục biểu số liệu kèm theo; bổ sung và tải lại.",
            }
        outcome = "waiting" if day > date(2024, 10, 25) else options.pop("outcome", "approved")
        plan.story(
            code,
            at,
            reviewer=plan.reviewer,
            sent=sent,
            lag=1 + k % 2,
            outcome=outcome,
            also=also.get(code, ()),
            **options,
        )
    by = plan.staff
    for index, criterion, points, source in [
        (
            "CCHC",
            "7.2",
            [(30, 8, 880, 1010), (4, 10, 1010, 1090), (28, 10, 1108, 1150)],
            "Hệ thống quản lý văn bản và điều hành",
        ),
        ("CCHC", "7.3", [(30, 8, 22, 23), (28, 10, 23, 23)], "Hòm thư công vụ tỉnh"),
        (
            "CCHC",
            "3.1",
            [(6, 9, 410, 2350), (28, 10, 560, 2900)],
            "Hệ thống đánh giá mức độ hài lòng tại Bộ phận một cửa",
        ),
        ("QN-DTI", "5.1", [(5, 9, 1, None)], "Quyết định phân công công chức chuyên trách CNTT (mức 1)"),
        (
            "QN-DTI",
            "5.3",
            [(20, 9, 31, 32), (25, 10, 32, 32)],
            "Phần mềm phòng, chống mã độc quản trị tập trung: máy đã cài / tổng số máy",
        ),
        (
            "QN-DTI",
            "8.2",
            [(30, 8, 15900, 17300), (28, 10, 16750, 17300)],
            "Công an phường: tài khoản định danh điện tử / dân số",
        ),
        ("CCHC", "7.1", [(30, 8, 2410, 2418), (28, 10, 2902, 2902)], "Hệ thống thông tin giải quyết TTHC tỉnh"),
    ]:
        for day, month, numerator, denominator in points:
            plan.measure(index, criterion, plan.when(day, month, 15, 30), by, numerator, denominator, source=source)
    for index, criterion, score in [
        ("CCHC", "2.2", 1),
        ("CCHC", "4.2", 1),
        ("QN-DTI", "2.1", 10),
        ("QN-DTI", "2.4", 10),
    ]:
        plan.self_score(index, criterion, plan.when(29, 10, 10, 0), plan.reviewer, score, note="Đã đủ minh chứng")


def plan_last_minute(plan: WardPlan) -> None:
    """Cao Xanh: nothing until two weeks ago, then a rush; the 9-month CCHC report never sent."""
    codes = [
        c
        for c in _items_of(plan, LAST_MINUTE)
        if plan.specs[c].due - plan.cycle.shift <= HISTORY_LAST or c.endswith("2.2-b")
    ]
    codes = [c for c in codes if plan.specs[c].report is None or "9 tháng" not in plan.specs[c].report.period]
    days = _spread(len(codes), date(2024, 10, 17), HISTORY_LAST)
    for k, (code, day) in enumerate(zip(codes, days)):
        item = plan.specs[code]
        at = plan.cycle.at(day + plan.cycle.shift, 14 + k % 4, (k * 23) % 60)
        sent = None if item.report is None else item.report.deadline - timedelta(days=1)
        if k == 3:
            plan.story(
                code,
                at,
                reviewer=plan.reviewer,
                outcome="sent_back",
                reason="out_of_period",
                sent=sent,
                issued=plan.cycle.day(20, 11, 2023),
                comment="Văn bản của năm trước; đề nghị tải văn bản ban hành trong kỳ đánh giá năm nay.",
            )
        elif day <= date(2024, 10, 25):
            plan.story(code, at, reviewer=plan.reviewer, sent=sent, lag=2 + k % 2)
        else:
            plan.story(code, at, reviewer=plan.reviewer, sent=sent, outcome="waiting")
    plan.measure(
        "QN-DTI",
        "8.2",
        plan.when(28, 10, 16, 0),
        plan.staff,
        9100,
        13900,
        source="Công an phường: tài khoản định danh điện tử / dân số",
    )
