"""Every model module, imported once so metadata (migrations, tests) sees all tables."""

from stengage.accounts.models import LetterCode, LetterCodeBatch, Membership, User
from stengage.areas.models import Area, AreaAim, AreaPostcode
from stengage.core.audit import AuditEntry

__all__ = [
    "Area",
    "AreaAim",
    "AreaPostcode",
    "AuditEntry",
    "LetterCode",
    "LetterCodeBatch",
    "Membership",
    "User",
]
