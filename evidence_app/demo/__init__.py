"""`minhchung demo`: phường Giếng Đáy with its real 2023 results, and three more wards of Quảng Ninh, in a live
cycle on whatever day it runs.

- The ward's shipped catalogs (`checklists/catalogs/gieng-day/`, the 2024 cycle) are rolled into the cycle of
  `today` (checklists.rollover): the index year is today's year, the CCHC assessment about six weeks ahead (a whole
  number of weeks, so weekdays stay), every due date and report deadline moved with it; last year's scores are the
  source's 2023 figures, labelled as last year's.
- Ten weeks of history are written through the app's service functions at their moments (seed.py, history.py):
  a realistic mix in Giếng Đáy, a diligent ward, a last-minute ward and an idle one; a province user sees the
  league table.
- Run again, nothing changes: the data is kept as it is, and no password is printed again."""

from __future__ import annotations

import os
import secrets
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from checklists import CATALOG_DIR, load_catalog
from checklists.rollover import roll_catalog, shift_to_weeks_ahead

from .. import clock
from ..auth import password_hasher
from ..auth.accounts import create_unit, create_user
from ..auth.models import Department, Role, Unit, User
from ..catalog.models import Index
from ..catalog.operations import import_catalog
from ..extensions import db
from ..units.operations import set_unit_facts
from .history import WardPlan, plan_diligent, plan_gieng_day, plan_last_minute
from .seed import Cycle, WardInfo, context_for, play, quick_commits

SOURCE = CATALOG_DIR / "gieng-day"
CATALOG_FILES = ("cchc-2024.yaml", "qn-dti-2024.yaml")
HOME = "gieng-day"
PROVINCE = ("quang-ninh", "UBND tỉnh Quảng Ninh", "tinh")


@dataclass(frozen=True)
class DemoWard:
    info: WardInfo
    behaviour: str
    plan: object = None  # a function of a WardPlan, or None (the idle ward)


def demo_wards() -> list[DemoWard]:
    # The other wards are real wards of Hạ Long; their histories (and every signer's name) are made up.
    return [
        DemoWard(
            WardInfo(HOME, "UBND phường Giếng Đáy", "Giếng Đáy", "Nguyễn Văn Thành"),
            "the real ward (2023 results from Kế hoạch 100/KH-UBND), a realistic mix",
            plan_gieng_day,
        ),
        DemoWard(
            WardInfo("ha-khau", "UBND phường Hà Khẩu", "Hà Khẩu", "Trần Thị Mai"),
            "illustrative: diligent, everything on time",
            plan_diligent,
        ),
        DemoWard(
            WardInfo("cao-xanh", "UBND phường Cao Xanh", "Cao Xanh", "Lê Văn Dũng"),
            "illustrative: last minute, a rush in the last two weeks",
            plan_last_minute,
        ),
        DemoWard(
            WardInfo("ha-phong", "UBND phường Hà Phong", "Hà Phong", "Đỗ Minh Tuấn"),
            "illustrative: idle, no document at all",
        ),
    ]


@dataclass
class DemoUser:
    unit: str
    username: str
    role: str
    departments: str
    password: str


@dataclass
class DemoResult:
    today: date
    created: bool
    indices: list[tuple[str, int, date]]  # Giếng Đáy's: code, year, assessment date
    users: list[DemoUser] = field(default_factory=list)
    wards: list[tuple[str, str, str]] = field(default_factory=list)  # code, name, behaviour
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # per ward: uploads, decisions, entries


def cycle_for(today: date) -> tuple[Cycle, list]:
    """The demo's cycle on `today` and the ward's catalogs rolled into it."""
    shipped = [load_catalog(SOURCE / name) for name in CATALOG_FILES]
    first = min(shipped, key=lambda c: c.index.assessment_date)
    shift = shift_to_weeks_ahead(today, first.index.assessment_date)
    rolled = [roll_catalog(c, c.index.assessment_date + shift, year=today.year) for c in shipped]
    return Cycle(today=today, shift=shift, year=today.year), rolled


def _indices(unit: Unit) -> list[tuple[str, int, date]]:
    return [
        (i.code, i.year, i.assessment_date)
        for i in db.session.execute(
            select(Index).where(Index.unit_id == unit.id).order_by(Index.code, Index.year)
        ).scalars()
    ]


def prepare_demo(today: date | None = None) -> DemoResult:
    """Set everything up for `today` (default: today where the unit is), or keep what is there."""
    today = today or clock.today()
    home = db.session.execute(select(Unit).where(Unit.code == HOME)).scalar_one_or_none()
    if home is not None:
        return DemoResult(today, False, _indices(home))
    wards = demo_wards()
    result = DemoResult(today, True, [], wards=[(w.info.code, w.info.name, w.behaviour) for w in wards])
    # Password hashing (argon2) is most of the set-up's time and runs outside the interpreter's lock: the
    # hashes are computed in threads while the catalogs are loaded and imported.
    hashing = ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 2))
    try:
        _setup_and_play(today, wards, result, _Passwords(hashing))
    finally:
        hashing.shutdown(wait=True, cancel_futures=True)
    home = db.session.execute(select(Unit).where(Unit.code == HOME)).scalar_one()
    result.indices = _indices(home)
    return result


def _setup_and_play(today: date, wards: list[DemoWard], result: DemoResult, passwords: _Passwords) -> None:
    with quick_commits():
        cycle, catalogs = cycle_for(today)
        # the province opens the cycle: the wards set up on the Friday before the history starts
        setup = [cycle.at(cycle.day(23, 8), 8, 5 * k) for k in range(len(wards))]
        accounts = [cycle.at(cycle.day(23, 8), 8, 30 + 2 * k) for k in range(len(wards) + 1)]
        units = []
        for ward, moment in zip(wards, setup):
            with clock.frozen_at(moment):
                unit = create_unit(ward.info.code, ward.info.name)
                for catalog in catalogs:
                    import_catalog(catalog, unit, source=f"{catalog.index.code} {catalog.index.year} (demo)")
                db.session.commit()
            units.append(unit.id)
        contexts, events, counter = {}, [], [0]
        for ward, unit_id, moment in zip(wards, units, accounts):
            with clock.frozen_at(moment):
                users = _create_ward_users(db.session.get(Unit, unit_id), passwords, result.users)
                db.session.commit()
            contexts[ward.info.code] = context_for(unit_id, users)
            db.session.expunge_all()
            if ward.plan is not None:
                staff = None if ward.info.code == HOME else f"{ward.info.code}-canbo"
                reviewer = "reviewer" if ward.info.code == HOME else f"{ward.info.code}-reviewer"
                plan = WardPlan(ward.info, cycle, catalogs, counter, staff=staff, reviewer=reviewer)
                ward.plan(plan)
                events += plan.events
        with clock.frozen_at(accounts[-1]):
            code, name, username = PROVINCE
            province = create_unit(code, name)
            _add_user(
                province,
                username,
                passwords.take(),
                Role.province.value,
                [],
                "Sở Nội vụ tỉnh Quảng Ninh (xem toàn tỉnh)",
                result.users,
            )
            db.session.commit()
            for ward in wards:  # the wards of the province, which its officer may merge and rename (/units/)
                set_unit_facts(ward.info.code, province_code=code)
        play(events, contexts)
        result.counts = {
            code: {"uploads": c.uploads, "decisions": c.decisions, "entries": c.entries} for code, c in contexts.items()
        }


class _Passwords:
    """Random passwords with their argon2 hashes, computed ahead in threads."""

    def __init__(self, pool: ThreadPoolExecutor, ahead: int = 17):
        self.pool = pool
        self.hasher = password_hasher()  # threads have no app context: take the app's hasher now
        self.queue: list[tuple[str, Future]] = [self._new() for _ in range(ahead)]

    def _new(self) -> tuple[str, Future]:
        password = secrets.token_urlsafe(9)
        return password, self.pool.submit(self.hasher.hash, password)

    def take(self) -> tuple[str, str]:
        password, hashed = self.queue.pop(0) if self.queue else self._new()
        return password, hashed.result()


def _add_user(
    unit: Unit,
    username: str,
    secret: tuple[str, str],
    role: str,
    departments: list[Department],
    full_name: str,
    out: list[DemoUser],
) -> User:
    """A demo user, its password's hash computed ahead in a thread (`_Passwords`)."""
    password, password_hash = secret
    user = create_user(
        unit, username, role=role, departments=departments, full_name=full_name, password_hash=password_hash
    )
    shown = (
        "all departments"
        if len(departments) > 1 and departments == list(unit.departments)
        else ", ".join(d.name for d in departments)
    )
    out.append(DemoUser(unit.code, username, role, shown or "—", password))
    return user


def _create_ward_users(unit: Unit, passwords: _Passwords, out: list[DemoUser]) -> dict[str, int]:
    departments = list(unit.departments)
    if unit.code == HOME:
        focal = next((d for d in departments if d.code == "vp-tk"), None)
        people = [
            ("admin", Role.admin.value, [], "Quản trị hệ thống"),
            ("reviewer", Role.reviewer.value, [focal] if focal else [], "Công chức phụ trách CCHC (kiểm duyệt)"),
        ]
        people += [(f"cb-{d.code}", Role.staff.value, [d], f"Cán bộ {d.name}") for d in departments]
    else:
        focal = [d for d in departments if d.code == "vp-tk"]
        people = [
            (f"{unit.code}-reviewer", Role.reviewer.value, focal, f"Công chức phụ trách CCHC, {unit.name}"),
            (f"{unit.code}-canbo", Role.staff.value, departments, f"Cán bộ, công chức {unit.name}"),
        ]
    return {
        username: _add_user(unit, username, passwords.take(), role, deps, full_name, out).id
        for username, role, deps, full_name in people
    }
