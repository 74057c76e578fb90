"""Merging, splitting and renaming units, and a unit's province and population: each one transaction, recorded
in the audit trail, nothing deleted (docs/decisions/0009-unit-reorganisation.md).

A merge keeps every document, evidence link, review and audit event: the documents are re-homed to the merged
unit (its users find, open and link them again), the links, reviews and events stay as they are, and the old
units' catalogs stay with the old units, whose figures the league table shows until the merge's day and within
the merged unit's from that day."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from .. import audit
from ..auth import sessions
from ..auth.accounts import UNIT_CODE
from ..auth.models import Department, Role, Unit, User
from ..errors import Refused
from ..evidence.models import Document, Evidence, Review
from ..extensions import db
from ..permissions import can_reorganise
from ..transactions import service_transaction
from .baselines import TWO_PLACES, combine_baseline, part_weight
from .models import BaselineMethod, ChangeKind, UnitBaseline, UnitChange, UnitLineage
from .queries import LastYear, last_year_scores

METHODS = tuple(m.value for m in BaselineMethod)


class UnitsRefused(Refused):
    """A reorganisation that cannot be made as asked; `field` names the input at fault."""

    def __init__(self, field: str, message):
        super().__init__(message, field=field)


@dataclass
class Outcome:
    """What a reorganisation did (or, for a dry run, would do), as plain data."""

    kind: str
    unit: str
    unit_name: str
    effective_on: date
    created: bool = False
    method: str | None = None
    parts: list[str] = field(default_factory=list)
    departments: list[tuple[str, str, str, bool]] = field(default_factory=list)  # from unit, code, into, created
    users: list[str] = field(default_factory=list)
    documents: int = 0
    links: int = 0
    reviews: int = 0
    baselines: list[tuple[str, int, Decimal | None, list]] = field(default_factory=list)
    old_name: str | None = None


def _text(value: Decimal | None) -> str | None:
    """A score or weight as the audit event and the baseline's parts keep it: two decimals, as text."""
    return None if value is None else str(value.quantize(TWO_PLACES))


def _unit(code: str, field_name: str) -> Unit:
    unit = db.session.execute(select(Unit).where(Unit.code == code)).scalar_one_or_none()
    if unit is None:
        known = ", ".join(db.session.execute(select(Unit.code).order_by(Unit.code)).scalars()) or "—"
        raise UnitsRefused(
            field_name, _l("No unit has the code “%(code)s”; known units: %(known)s.", code=code, known=known)
        )
    return unit


def _check_in_force(unit: Unit, field_name: str, day: date) -> None:
    if unit.dissolved_on is not None:
        successor = db.session.execute(
            select(Unit.code)
            .join(UnitLineage, UnitLineage.successor_id == Unit.id)
            .join(UnitChange, UnitLineage.change_id == UnitChange.id)
            .where(UnitLineage.predecessor_id == unit.id, UnitChange.kind == ChangeKind.merge.value)
        ).scalar()
        raise UnitsRefused(
            field_name,
            _l(
                "The unit “%(code)s” was already merged into “%(into)s” on %(day)s; reorganise “%(into)s” instead.",
                code=unit.code,
                into=successor or "?",
                day=unit.dissolved_on.strftime("%d/%m/%Y"),
            ),
        )
    if unit.established_on is not None and day < unit.established_on:
        raise UnitsRefused(
            "date",
            _l(
                "The unit “%(code)s” exists only from %(day)s: choose that day or a later one.",
                code=unit.code,
                day=unit.established_on.strftime("%d/%m/%Y"),
            ),
        )


def _check_not_a_province(unit: Unit, field_name: str) -> None:
    officers = select(User.id).where(User.unit_id == unit.id, User.role == Role.province.value)
    children = select(Unit.id).where(Unit.province_id == unit.id)
    if db.session.execute(officers.union(children).limit(1)).first() is not None:
        raise UnitsRefused(
            field_name,
            _l("“%(code)s” is a province's unit, not a ward or commune: it cannot be reorganised.", code=unit.code),
        )


def _check_actor(actor: User | None, units: Sequence[Unit], field_name: str) -> None:
    """A signed-in officer reorganises only the units of their own province (`permissions.can_reorganise`)."""
    if actor is None:
        return
    for unit in units:
        if not can_reorganise(actor, unit):
            raise UnitsRefused(
                field_name,
                _l("The unit “%(code)s” is not a unit of your province: ask its province's officers.", code=unit.code),
            )


def _check_method(method: str) -> None:
    if method not in METHODS:
        raise UnitsRefused(
            "method",
            _l(
                "Unknown baseline method “%(method)s”: choose one of %(methods)s.",
                method=method,
                methods=", ".join(METHODS),
            ),
        )


def _weights(method: str, parts: Sequence[Unit]) -> dict[int, Decimal]:
    missing = [u.code for u in parts if method == BaselineMethod.weighted.value and not u.population]
    if missing:
        raise UnitsRefused(
            "method",
            _l(
                "A population-weighted baseline needs the population of %(units)s: enter it first "
                "(`minhchung units set --code CODE --population N`, or the units page).",
                units=", ".join(missing),
            ),
        )
    return {u.id: part_weight(method, u.population) for u in parts}


def _new_unit(code: str, name: str | None, province_id: int | None, effective_on: date) -> Unit:
    if not UNIT_CODE.match(code):
        raise UnitsRefused("into", _l("Use lower-case letters, digits and '-' (for example gieng-day)."))
    if not (name or "").strip():
        raise UnitsRefused("name", _l("The new unit “%(code)s” needs a name (--name).", code=code))
    unit = Unit(code=code, name=name.strip(), province_id=province_id, established_on=effective_on)
    db.session.add(unit)
    db.session.flush()
    return unit


def _department_in(
    unit: Unit, code: str, name: str, made: dict[tuple[int, str], Department]
) -> tuple[Department, bool]:
    """The department of `unit` with this code (one department per code), made when there is none yet."""
    key = (unit.id, code)
    if key not in made:
        existing = db.session.execute(
            select(Department).where(Department.unit_id == unit.id, Department.code == code)
        ).scalar_one_or_none()
        if existing is not None:
            made[key] = existing
        else:
            made[key] = Department(unit_id=unit.id, code=code, name=name)
            db.session.add(made[key])
            db.session.flush()
            return made[key], True
    return made[key], False


def _move_users(users: Sequence[User], into: Unit, mapping: dict[int, Department]) -> list[str]:
    """Users join `into`, in the departments mapped from theirs; their sessions end (they sign in again, in
    their new unit)."""
    moved = []
    for user in users:
        user.unit_id = into.id
        user.departments = sorted(
            {mapping[d.id].id: mapping[d.id] for d in user.departments if d.id in mapping}.values(),
            key=lambda d: d.code,
        )
        sessions.end_every_session(user)
        moved.append(user.username)
    return moved


def _kept_counts(unit_ids: list[int]) -> tuple[int, int, int]:
    """The documents, evidence links and reviews of these units' documents (all kept, none deleted)."""
    documents = select(Document.id).where(Document.unit_id.in_(unit_ids))
    count_docs = db.session.scalar(select(func.count()).select_from(documents.subquery()))
    links = db.session.scalar(select(func.count(Evidence.id)).where(Evidence.document_id.in_(documents)))
    reviews = db.session.scalar(
        select(func.count(Review.id))
        .join(Evidence, Review.evidence_id == Evidence.id)
        .where(Evidence.document_id.in_(documents))
    )
    return count_docs or 0, links or 0, reviews or 0


def _record_change(
    kind: ChangeKind,
    unit: Unit,
    parts: Sequence[Unit],
    weights: dict[int, Decimal],
    effective_on: date,
    method: str,
    actor: User | None,
) -> UnitChange:
    """The change and its lineage: an edge from each part to `unit`, with the part's weight."""
    change = UnitChange(
        kind=kind.value,
        unit_id=unit.id,
        effective_on=effective_on,
        method=method,
        created_by_id=actor.id if actor is not None else None,
    )
    db.session.add(change)
    db.session.flush()
    for part in parts:
        db.session.add(
            UnitLineage(change_id=change.id, predecessor_id=part.id, successor_id=unit.id, weight=weights[part.id])
        )
    return change


def _record_baselines(
    change: UnitChange,
    unit: Unit,
    parts: Sequence[Unit],
    weights: dict[int, Decimal],
    scores: dict[int, dict[tuple[str, int], LastYear]],
) -> list[tuple[str, int, Decimal | None, list]]:
    """Last year's score of `unit` for every index (code, year) a part holds, combined by the change's method;
    each part's score, its source and weight kept beside it."""
    recorded = []
    for code, year in sorted({key for part in parts for key in scores[part.id]}):
        found = [scores[part.id].get((code, year)) for part in parts]
        part_scores = [
            {
                "unit": part.code,
                "score": None if last is None else _text(last.score),
                "source": "none" if last is None else last.source,
                "weight": _text(weights[part.id]),
            }
            for part, last in zip(parts, found)
        ]
        own = scores.get(unit.id, {}).get((code, year))
        score = combine_baseline(
            change.method or BaselineMethod.mean.value,
            [(None if last is None else last.score, weights[part.id]) for part, last in zip(parts, found)],
            None if own is None else own.score,
        )
        db.session.add(
            UnitBaseline(
                change_id=change.id, unit_id=unit.id, index_code=code, index_year=year, score=score, parts=part_scores
            )
        )
        recorded.append((code, year, score, part_scores))
    return recorded


def merge_units(
    into_code: str,
    from_codes: Sequence[str],
    *,
    effective_on: date,
    method: str = BaselineMethod.mean.value,
    name: str | None = None,
    actor: User | None = None,
    dry_run: bool = False,
) -> Outcome:
    """Merge the units `from_codes` into `into_code` (an existing unit that absorbs them, or a new one, named
    `name`) from `effective_on`."""
    with service_transaction(dry_run=dry_run):
        _check_method(method)
        codes = list(dict.fromkeys(c.strip() for c in from_codes if c.strip()))
        if not codes:
            raise UnitsRefused("from", _l("Name the units to merge (--from, at least one)."))
        if into_code in codes:
            raise UnitsRefused("from", _l("A unit cannot be merged into itself: “%(code)s” is both.", code=into_code))
        sources = [_unit(code, "from") for code in codes]
        for unit in sources:
            _check_in_force(unit, "from", effective_on)
            _check_not_a_province(unit, "from")
        _check_actor(actor, sources, "from")
        provinces = {u.province_id for u in sources}
        into = db.session.execute(select(Unit).where(Unit.code == into_code)).scalar_one_or_none()
        created = into is None
        if into is not None:
            _check_in_force(into, "into", effective_on)
            _check_not_a_province(into, "into")
            _check_actor(actor, [into], "into")
            provinces.add(into.province_id)
        if len(provinces) > 1:
            raise UnitsRefused(
                "from", _l("These units belong to different provinces: merge units of one province only.")
            )
        parts = sources if created else [into, *sources]
        weights = _weights(method, parts)
        before = _kept_counts([u.id for u in sources])
        scores = last_year_scores([u.id for u in parts])
        if into is None:
            into = _new_unit(into_code, name, actor.unit_id if actor is not None else provinces.pop(), effective_on)
        elif name and name.strip() and name.strip() != into.name:
            raise UnitsRefused("name", _l("“%(code)s” exists already: rename it with `units rename`.", code=into.code))

        change = _record_change(ChangeKind.merge, into, parts, weights, effective_on, method, actor)

        outcome = Outcome(
            ChangeKind.merge.value, into.code, into.name, effective_on, created, method, [u.code for u in parts]
        )
        made: dict[tuple[int, str], Department] = {}
        mapping: dict[int, Department] = {}
        for unit in sources:
            for department in unit.departments:
                target, new = _department_in(into, department.code, department.name, made)
                mapping[department.id] = target
                outcome.departments.append((unit.code, department.code, into.code, new))
        users = (
            db.session.execute(select(User).where(User.unit_id.in_([u.id for u in sources])).order_by(User.username))
            .scalars()
            .all()
        )
        outcome.users = _move_users(users, into, mapping)
        moved_documents = (
            db.session.execute(
                select(Document.id).where(Document.unit_id.in_([u.id for u in sources])).order_by(Document.id)
            )
            .scalars()
            .all()
        )
        db.session.execute(update(Document).where(Document.id.in_(moved_documents)).values(unit_id=into.id))
        outcome.documents, outcome.links, outcome.reviews = before

        for unit in sources:
            unit.dissolved_on = effective_on
        outcome.baselines = _record_baselines(change, into, parts, weights, scores)
        db.session.flush()
        audit.record(
            "unit.merge",
            unit_id=into.id,
            actor_id=actor.id if actor is not None else None,
            object_type="unit",
            object_id=into.id,
            data={
                "into": into.code,
                "name": into.name,
                "created": created,
                "from": codes,
                "effective_on": effective_on.isoformat(),
                "method": method,
                "departments": [list(d) for d in outcome.departments],
                "users": outcome.users,
                "documents": list(moved_documents),
                "links_kept": outcome.links,
                "reviews_kept": outcome.reviews,
                "baselines": [
                    {"index": code, "year": year, "score": _text(score), "parts": part_scores}
                    for code, year, score, part_scores in outcome.baselines
                ],
            },
        )
    return outcome


def split_unit(
    from_code: str,
    new_code: str,
    *,
    name: str,
    effective_on: date,
    departments: Sequence[str] = (),
    usernames: Sequence[str] = (),
    document_ids: Sequence[int] = (),
    method: str = BaselineMethod.mean.value,
    actor: User | None = None,
    dry_run: bool = False,
) -> Outcome:
    """Carve a new unit out of `from_code`, which goes on: the chosen departments are made in the new unit (same
    codes and names), the chosen users move to it (in the chosen departments they belonged to), the chosen
    documents are re-homed to it; its last year's baseline is the unit's own (`own`) or that of the unit it was
    carved from (`mean`, `weighted`: one part)."""
    with service_transaction(dry_run=dry_run):
        _check_method(method)
        source = _unit(from_code, "from")
        _check_in_force(source, "from", effective_on)
        _check_not_a_province(source, "from")
        _check_actor(actor, [source], "from")
        if db.session.execute(select(Unit.id).where(Unit.code == new_code)).first() is not None:
            raise UnitsRefused(
                "into", _l("The unit “%(code)s” exists already: a split makes a new unit.", code=new_code)
            )
        own = {d.code: d for d in source.departments}
        unknown = [code for code in departments if code not in own]
        if unknown:
            raise UnitsRefused(
                "department",
                _l(
                    "“%(unit)s” has no department %(codes)s; its departments: %(known)s.",
                    unit=source.code,
                    codes=", ".join(unknown),
                    known=", ".join(own) or "—",
                ),
            )
        users = []
        for username in dict.fromkeys(usernames):
            user = db.session.execute(
                select(User).where(User.username == username, User.unit_id == source.id)
            ).scalar_one_or_none()
            if user is None:
                raise UnitsRefused("user", _l("“%(unit)s” has no user “%(user)s”.", unit=source.code, user=username))
            users.append(user)
        documents = list(dict.fromkeys(document_ids))
        found = set(
            db.session.execute(
                select(Document.id).where(Document.id.in_(documents), Document.unit_id == source.id)
            ).scalars()
        )
        if missing := [str(i) for i in documents if i not in found]:
            raise UnitsRefused(
                "document", _l("“%(unit)s” has no document %(ids)s.", unit=source.code, ids=", ".join(missing))
            )
        scores = last_year_scores([source.id])
        weights = _weights(method, [source])
        new = _new_unit(new_code, name, source.province_id, effective_on)
        change = _record_change(ChangeKind.split, new, [source], weights, effective_on, method, actor)
        outcome = Outcome(ChangeKind.split.value, new.code, new.name, effective_on, True, method, [source.code])
        made: dict[tuple[int, str], Department] = {}
        mapping: dict[int, Department] = {}
        for code in dict.fromkeys(departments):
            target, _new = _department_in(new, code, own[code].name, made)
            mapping[own[code].id] = target
            outcome.departments.append((source.code, code, new.code, True))
        outcome.users = _move_users(users, new, mapping)
        for document in db.session.execute(select(Document).where(Document.id.in_(documents))).scalars():
            document.unit_id = new.id
        outcome.documents = len(documents)
        outcome.baselines = _record_baselines(change, new, [source], weights, scores)
        db.session.flush()
        audit.record(
            "unit.split",
            unit_id=new.id,
            actor_id=actor.id if actor is not None else None,
            object_type="unit",
            object_id=new.id,
            data={
                "from": source.code,
                "into": new.code,
                "name": new.name,
                "effective_on": effective_on.isoformat(),
                "method": method,
                "departments": list(dict.fromkeys(departments)),
                "users": outcome.users,
                "documents": documents,
                "baselines": [
                    {"index": code, "year": year, "score": _text(score)}
                    for code, year, score, _parts in outcome.baselines
                ],
            },
        )
    return outcome


def rename_unit(
    code: str, name: str, *, effective_on: date, actor: User | None = None, dry_run: bool = False
) -> Outcome:
    """The unit's name from `effective_on`; the league table of an earlier day shows the name it had then."""
    with service_transaction(dry_run=dry_run):
        unit = _unit(code, "code")
        _check_in_force(unit, "code", effective_on)
        _check_actor(actor, [unit], "code")
        name = (name or "").strip()
        if not name:
            raise UnitsRefused("name", _l("Enter the unit's new name."))
        if name == unit.name:
            raise UnitsRefused("name", _l("“%(code)s” has this name already.", code=unit.code))
        old = unit.name
        db.session.add(
            UnitChange(
                kind=ChangeKind.rename.value,
                unit_id=unit.id,
                effective_on=effective_on,
                old_name=old,
                new_name=name,
                created_by_id=actor.id if actor is not None else None,
            )
        )
        unit.name = name
        db.session.flush()
        audit.record(
            "unit.rename",
            unit_id=unit.id,
            actor_id=actor.id if actor is not None else None,
            object_type="unit",
            object_id=unit.id,
            data={"code": unit.code, "old_name": old, "name": name, "effective_on": effective_on.isoformat()},
        )
        outcome = Outcome(ChangeKind.rename.value, unit.code, name, effective_on, old_name=old)
    return outcome


def set_unit_facts(
    code: str,
    *,
    population: int | None = None,
    province_code: str | None = None,
    other_names: list[str] | None = None,
    actor: User | None = None,
) -> dict:
    """A unit's population (for a population-weighted baseline), its province (whose officers reorganise it), and
    the other names its documents carry as issuer (the pre-check "sai đơn vị"; an empty list clears them)."""
    with service_transaction():
        unit = _unit(code, "code")
        _check_actor(actor, [unit], "code")
        changes: dict = {}
        if population is not None:
            if population <= 0:
                raise UnitsRefused("population", _l("The population is a whole number above zero, for example 18000."))
            if population != unit.population:
                changes["population"] = [unit.population, population]
                unit.population = population
        if province_code is not None:
            if actor is not None:  # officers keep their units in their own province
                raise UnitsRefused("province", _l("Only the command line sets a unit's province."))
            province = _unit(province_code, "province")
            if province.id == unit.id:
                raise UnitsRefused("province", _l("A unit cannot be its own province."))
            if province.id != unit.province_id:
                changes["province"] = [None, province.code]
                unit.province_id = province.id
        if other_names is not None:
            names = "\n".join(dict.fromkeys(n.strip() for n in other_names if n.strip())) or None
            if names != unit.other_names:
                changes["other_names"] = [unit.other_names, names]
                unit.other_names = names
        if changes:
            audit.record(
                "unit.update",
                unit_id=unit.id,
                actor_id=actor.id if actor is not None else None,
                object_type="unit",
                object_id=unit.id,
                data={"code": unit.code, **changes},
            )
    return changes
