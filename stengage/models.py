"""Every model module, imported once so metadata (migrations, tests) sees all tables."""

from stengage.accounts.models import LetterCode, LetterCodeBatch, Membership, User
from stengage.api.models import ApiToken
from stengage.areas.attachments import ProcessAttachment
from stengage.areas.models import Area, AreaAim, AreaPostcode, Phase, Process
from stengage.core.audit import AuditEntry
from stengage.moderation.models import Flag, ProposalNote
from stengage.pages.models import ContentPage
from stengage.proposals.models import (
    Comment,
    CommentVote,
    Follow,
    Notification,
    Proposal,
    ProposalImage,
    Support,
)
from stengage.reports.models import ExportJob, Report, ReportFollow, ReportVersion, Theme, ThemeItem

__all__ = [
    "ApiToken",
    "Area",
    "AreaAim",
    "AreaPostcode",
    "AuditEntry",
    "Comment",
    "CommentVote",
    "ContentPage",
    "ExportJob",
    "Flag",
    "Follow",
    "LetterCode",
    "LetterCodeBatch",
    "Membership",
    "Notification",
    "Phase",
    "Process",
    "ProcessAttachment",
    "Proposal",
    "ProposalImage",
    "ProposalNote",
    "Report",
    "ReportFollow",
    "ReportVersion",
    "Support",
    "Theme",
    "ThemeItem",
    "User",
]
