"""Every model, imported in one place so that Alembic and the tests see the whole schema."""

from .api.models import ApiToken
from .audit.models import AuditEvent
from .auth.models import Department, LoginFailure, Role, Unit, User, user_departments
from .catalog.models import (
    Area,
    AssignmentHistory,
    ChecklistItem,
    Criterion,
    Index,
    Measurement,
    SelfScore,
    SelfScoreHistory,
)
from .cycle.models import CriterionResult, Proposal, ResultSet
from .evidence.models import Decision, Document, DocumentHistory, Evidence, EvidenceState, EvidenceVersion, Review
from .evidence.reading.models import DocumentReading
from .evidence.reading.search import DocumentSearch
from .reports.models import LeagueRow, SignedDossier
from .units.models import UnitBaseline, UnitChange, UnitLineage

__all__ = [
    "ApiToken",
    "Area",
    "AssignmentHistory",
    "AuditEvent",
    "ChecklistItem",
    "Criterion",
    "CriterionResult",
    "Decision",
    "Department",
    "Document",
    "DocumentHistory",
    "DocumentReading",
    "DocumentSearch",
    "Evidence",
    "EvidenceState",
    "EvidenceVersion",
    "Index",
    "LoginFailure",
    "Measurement",
    "Proposal",
    "ResultSet",
    "Review",
    "Role",
    "SelfScore",
    "SelfScoreHistory",
    "LeagueRow",
    "SignedDossier",
    "Unit",
    "UnitBaseline",
    "UnitChange",
    "UnitLineage",
    "User",
    "user_departments",
]
