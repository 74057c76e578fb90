"""Every model, imported in one place so that Alembic and the tests see the whole schema."""
from .api.models import ApiToken
from .audit.models import AuditEvent
from .auth.models import Department, LoginFailure, Role, Unit, User, user_departments
from .catalog.models import Area, ChecklistItem, Criterion, Index, Measurement, SelfScore
from .evidence.models import Document, Evidence, EvidenceState
from .review.models import Decision, Review

__all__ = ["ApiToken", "Area", "AuditEvent", "ChecklistItem", "Criterion", "Decision", "Department", "Document", "Evidence",
           "EvidenceState", "Index", "LoginFailure", "Measurement", "Review", "Role", "SelfScore", "Unit", "User", "user_departments"]
