"""Issue 13, finding 10: every POST form of the pages, fuzzed. Signed in as each kind of user of the shared ward,
Hypothesis posts text with NUL and other control characters, any unicode, very long text, huge, negative and
long-decimal numbers, days outside 1900–2100 or that do not exist, and ids beyond 64 bits, to every form of
`app.url_map` (the API has schemathesis, scripts/fuzz-api.sh). No answer may be a 500 or show a traceback."""

from __future__ import annotations

import io
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfWriter
from sqlalchemy import select

from evidence_app.api.models import ApiToken
from evidence_app.api.operations import create_token
from evidence_app.catalog.models import ChecklistItem, Criterion, Index
from evidence_app.cycle.models import CriterionResult, Proposal
from evidence_app.evidence.models import Document, Evidence
from evidence_app.evidence.operations import DocumentFields, upload_document
from evidence_app.extensions import db
from evidence_app.models import User
from tests.cycle.test_proposal_pages import _import
from tests.evidence import corpus
from tests.helpers import PASSWORD, login, make_unit, make_user

ROLES = ("cb-vp-tk", "reviewer", "admin")
DOCUMENT_FIELDS = ["number", "issue_date", "issuer", "summary", "period_start", "period_end", "page_ref", "sent_date"]
# What each page form reads; "{id}" stands for the id in the URL (the proposal forms' prefix).
FIELDS = {
    "auth.login": ["username", "password"],
    "auth.logout": [],
    "auth.change_password": ["current_password", "new_password", "new_password_again"],
    "tokens.tokens": ["name"],
    "tokens.revoke": [],
    "admin.new_user": ["username", "full_name", "email", "role", "departments", "active"],
    "admin.edit_user": ["full_name", "email", "role", "departments", "active"],
    "admin.reset_password": [],
    "admin.unlock_user": [],
    "admin.assign_item": ["owner_department", "assignee"],
    "cycle.results": ["index_code", "year", "file"],
    "cycle.apply_results": ["filename", "content", "index_code", "year"],
    "cycle.decide_proposal": ["p{id}-title", "p{id}-checks", "p{id}-owner", "p{id}-due", "p{id}-action"],
    "cycle.causes": ["cause-0", "cause-1", "index"],
    "cycle.rubric": ["file", "index_code", "year", "filename", "content"],
    "catalog.add_measurement_page": ["numerator", "denominator", "measured_on", "source"],
    "catalog.self_score_page": ["score", "note", "explanation"],
    "evidence.upload": [*DOCUMENT_FIELDS, "files"],
    "evidence.link": ["document_id"],
    "evidence.edit": DOCUMENT_FIELDS,
    "evidence.delete": [],
    "reports.pack": ["as_of"],
    "reports.selfassessment_signed": ["as_of", "file"],
    "review.decide_one": ["decision", "version", "reason", "comment"],
    "review.approve_many": ["selected"],
    "units.merge": ["sources", "into", "name", "effective_on", "method", "preview", "confirm"],
    "units.rename": ["unit", "name", "effective_on"],
    "units.population": ["unit", "population"],
}
PROVINCE_ROLES = ("tinh",)  # the units pages' forms: the province's officer (the others get 403)
BEYOND = [0, 2**31, 2**63, 2**64 + 1, 10**30]  # ids no table holds: beyond 32 and 64 bits

TEXT = st.one_of(
    st.text(st.characters(exclude_categories=["Cs"]), max_size=40),  # any unicode but lone surrogates
    st.text(st.characters(codec="ascii"), max_size=20),  # NUL and the other control characters, often
    st.sampled_from(["a\x00b", "\x01", "\x7f", "\u2028", "\ufeff", "=1+1", "../../etc/passwd", " ", ""]),
    st.integers(1_000, 300_000).map(lambda n: "x" * n),  # very long text
)
NUMBER = st.one_of(
    st.sampled_from(["1e400", "-1e400", "9999999999999999999999", "9999999,9999", "NaN", "inf", "-0", "0,0004"]),
    st.sampled_from(["1" + "0" * 400, "0." + "0" * 50 + "1", "12,5", "1.234.567", "1,2,3", "-5", "0"]),
    st.integers(-(2**70), 2**70).map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=12).map(str),
)
DAY = st.sampled_from(
    ["0001-01-01", "31/02/2026", "9999-12-31", "1899-12-31", "2101-01-01", "00/00/0000", "2024-13-01", "29/02/2023"]
    + ["32/01/2024", "1/1/1", "-2024-01-01", "2024-03-14T00:00", "14/03/2024\x00"]
)
ID = st.sampled_from([str(i) for i in BEYOND] + ["-1", "1.5", "0x10", "1e3", "²"])
CHOICE = st.sampled_from(
    ["approved", "changes_requested", "other", "missing_signature", "save", "accept", "discard", "staff"]
    + ["reviewer", "admin", "province", "CCHC", "late_report", "y", "on", "1:1", "1:" + str(2**64), str(2**64) + ":1"]
)
NASTY = st.one_of(TEXT, NUMBER, DAY, ID, CHOICE)
# What a field takes, by the end of its name: a valid value half of the time, so that the rest of the form is read
# and a nasty value in one field reaches the service and the database.
KINDS = {
    ("date", "due", "as_of", "measured_on", "period_start", "period_end", "effective_on"): (
        ["14/03/2024", "2024-03-14"],
        DAY,
    ),
    ("numerator", "denominator", "score", "year", "version", "population"): (["1", "12,5", "2023"], NUMBER),
    ("sources", "unit", "into", "method", "confirm"): (["gieng-day", "ha-khau", "ha-long", "weighted", "1"], CHOICE),
    ("document_id", "index", "owner", "assignee", "departments", "owner_department"): (["1", "2", "3"], ID),
    ("decision", "reason", "role", "action", "cause-0", "cause-1", "index_code", "selected", "active"): (
        ["approved", "changes_requested", "missing_signature", "save", "accept", "staff", "CCHC", "y", "1:1"],
        CHOICE,
    ),
}


def _kind(name: str):
    return next((kind for ends, kind in KINDS.items() if name.endswith(ends)), (["12/KH-UBND", "Kế hoạch"], TEXT))


_serial = itertools.count()


def _new_pdf() -> bytes:
    """A one-page PDF never sent before: the same bytes again would only be linked, and its fields never stored."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": f"Fuzzing {next(_serial)}"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@st.composite
def form_data(draw, names: list[str]) -> dict:
    """One field nasty and the others valid (or left out), so that the nasty value gets past the form's other
    checks into the service and the database; or, a quarter of the time, any value in every field."""
    fields = [name for name in names if name not in ("file", "files")]
    nasty = draw(st.sampled_from(fields)) if fields else None
    anything = draw(st.integers(0, 3)) == 0
    data = {}
    for name in names:
        if name in ("file", "files"):
            kind = draw(st.sampled_from(["none", "bytes", "pdf", "pdf"]))
            if kind != "none":
                content = _new_pdf() if kind == "pdf" else draw(st.binary(max_size=200))
                data[name] = (io.BytesIO(content), draw(st.sampled_from(["a.pdf", "b.xlsx", "c\x00.pdf", "d"])))
            continue
        valid, bad = _kind(name)
        if name == nasty or anything:
            value = st.one_of(bad, NASTY)
            data[name] = draw(st.lists(value, min_size=1, max_size=3)) if draw(st.integers(0, 3)) == 0 else draw(value)
        elif draw(st.integers(0, 3)):  # a valid value, or now and then none
            data[name] = draw(st.sampled_from(valid))
    return data


def _ids(model) -> list[int]:
    return list(db.session.execute(select(model.id)).scalars())


@pytest.fixture
def targets(app, ward, tmp_path):
    """Real ids of each kind in the ward (a document with its evidence, tokens, results and proposals), for the URLs."""
    staff = db.session.execute(select(User).where(User.username == "cb-vp-tk")).scalar_one()
    item = db.session.execute(select(ChecklistItem).where(ChecklistItem.code == "CCHC-1.2-a")).scalar_one()
    upload_document(corpus.pdf(tmp_path), "ke-hoach.pdf", user=staff, items=[item], fields=DocumentFields())
    for username in ROLES:
        create_token(db.session.execute(select(User).where(User.username == username)).scalar_one(), "fuzzing")
    _import(ward)  # results of 2023: result rows and proposed checklist items
    other = make_user(ward, "someone-else", role="staff", departments=["vh-tt"])  # whom the admin pages may change
    province = make_unit("quang-ninh", "UBND tỉnh Quảng Ninh")  # the units pages: an officer and two wards
    make_user(province, "tinh", role="province")
    make_unit("ha-khau", "UBND phường Hà Khẩu").province_id = ward.province_id = province.id
    db.session.commit()
    return {
        "item_id": _ids(ChecklistItem),
        "criterion_id": _ids(Criterion),
        "index_id": _ids(Index),
        "document_id": _ids(Document),
        "evidence_id": _ids(Evidence),
        "token_id": _ids(ApiToken),
        "row_id": _ids(CriterionResult),
        "proposal_id": _ids(Proposal),
        "user_id": [other.id],  # never a user these tests sign in as: a reset password would lock the test out
    }


FAST_EXAMPLES = 15  # per form, in the `fast` profile; `HYPOTHESIS_PROFILE=thorough` runs its 3000


def post_forms(app) -> dict[str, tuple[str, str | None]]:
    """Every POST route of the pages: endpoint → (rule, the name of its id in the URL or None)."""
    return {
        rule.endpoint: (rule.rule, next(iter(rule.arguments), None))
        for rule in app.url_map.iter_rules()
        if "POST" in rule.methods and not rule.rule.startswith("/api/")
    }


def test_every_post_form_of_the_pages_is_fuzzed(app):
    assert sorted(post_forms(app)) == sorted(FIELDS)


@pytest.mark.parametrize("endpoint", sorted(FIELDS))
def test_no_form_answers_a_500(app, targets, endpoint):
    rule, id_name = post_forms(app)[endpoint]

    @settings(
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        # one example is a sign-in and a post: the `fast` profile's 40 per form cost a minute and a half on two cores
        max_examples=FAST_EXAMPLES if settings.default.max_examples <= 40 else settings.default.max_examples,
    )
    @given(role=st.sampled_from(PROVINCE_ROLES if endpoint.startswith("units.") else ROLES), data=st.data())
    def post(role, data):
        client = app.test_client()
        signed_in = login(client, role, PASSWORD)
        assert signed_in.status_code == 302, f"{role} could not sign in: {signed_in.status_code}"
        url, object_id = rule, None
        if id_name is not None:
            real, beyond = st.sampled_from(targets[id_name]), st.sampled_from(BEYOND)
            object_id = data.draw(st.one_of(real, real, beyond), label=id_name)
            url = rule.replace(f"<int:{id_name}>", str(object_id))
        names = [name.replace("{id}", str(object_id)) for name in FIELDS[endpoint]]
        form = data.draw(form_data(names), label="form")
        environ = {"REMOTE_ADDR": "198.51.100.7"} if endpoint == "auth.login" else {}  # its own address to lock out
        if endpoint == "auth.login":
            client = app.test_client()
        answer = client.post(url, data=form, environ_base=environ)
        body = answer.get_data()  # a page, or the pack's ZIP
        assert answer.status_code < 500, body[:2000]
        assert b"Traceback" not in body
        db.session.rollback()  # nothing left of a request in the tests' own session

    post()
