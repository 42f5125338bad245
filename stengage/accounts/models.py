"""Users, their memberships in areas, the letter codes that verify residency, and account notices."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, ForeignKeyConstraint, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from stengage.areas.models import Area
from stengage.db import Base, enum_type, utc_now


class MembershipRole(enum.StrEnum):
    RESIDENT = "resident"
    MODERATOR = "moderator"
    STAFF = "staff"


class VerificationMethod(enum.StrEnum):
    POSTCODE = "postcode"
    LETTER_CODE = "letter_code"
    MODERATOR_APPROVAL = "moderator_approval"


class AssuranceLevel(enum.StrEnum):
    """How sure we are that a member lives in the area (eIDAS-style names)."""

    LOW = "low"
    SUBSTANTIAL = "substantial"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return _LEVEL_RANK[self]


_LEVEL_RANK = {AssuranceLevel.LOW: 1, AssuranceLevel.SUBSTANTIAL: 2, AssuranceLevel.HIGH: 3}

METHOD_LEVEL = {
    VerificationMethod.POSTCODE: AssuranceLevel.LOW,
    VerificationMethod.LETTER_CODE: AssuranceLevel.SUBSTANTIAL,
    VerificationMethod.MODERATOR_APPROVAL: AssuranceLevel.HIGH,
}


class EmailNotifications(enum.StrEnum):
    IMMEDIATELY = "immediately"
    DAILY = "daily"
    NEVER = "never"


class User(UserMixin, Base):
    __tablename__ = "user"
    __table_args__ = (CheckConstraint("session_version > 0", name="session_version_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    email_confirmed_at: Mapped[datetime | None]
    pending_email: Mapped[str | None] = mapped_column(String(254))
    display_name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(255))
    # The language the person chose (My account or the switch); the one they registered in; the
    # time zone they chose. None means "automatic": core.i18n's rule decides.
    locale: Mapped[str | None] = mapped_column(String(8))
    registered_locale: Mapped[str | None] = mapped_column(String(8))
    timezone: Mapped[str | None] = mapped_column(String(64))
    is_admin: Mapped[bool] = mapped_column(default=False)
    # Bumped on logout, password change and blocking: every older session cookie stops working.
    session_version: Mapped[int] = mapped_column(default=1)
    blocked_at: Mapped[datetime | None]
    blocked_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    last_login_at: Mapped[datetime | None]
    notify_by_email: Mapped[EmailNotifications] = mapped_column(
        enum_type(EmailNotifications, "email_notifications"), default=EmailNotifications.IMMEDIATELY,
        server_default=EmailNotifications.IMMEDIATELY.value,
    )

    # The logged-in user's memberships are loaded with them (see accounts.session); other users'
    # only when asked for, so lists of authors cost no extra queries.
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", foreign_keys="Membership.user_id", cascade="all, delete-orphan",
    )

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:
        return self.blocked_at is None

    @property
    def is_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    def membership_in(self, area: Area | int) -> Membership | None:
        area_id = area if isinstance(area, int) else area.id
        return next((m for m in self.memberships if m.area_id == area_id), None)

    def has_role(self, area: Area | int, role: MembershipRole) -> bool:
        membership = self.membership_in(area)
        return membership is not None and membership.role == role

    def is_blocked_in(self, area: Area | int) -> bool:
        membership = self.membership_in(area)
        return membership is not None and membership.blocked_at is not None

    def is_verified_in(self, area: Area | int,
                       min_level: AssuranceLevel = AssuranceLevel.LOW) -> bool:
        membership = self.membership_in(area)
        return membership is not None and membership.is_verified_at_least(min_level)

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class Membership(Base):
    """A user's tie to an area: their role there and how their residency was verified."""

    __tablename__ = "membership"
    __table_args__ = (
        UniqueConstraint("user_id", "area_id"),
        CheckConstraint(
            "(verified_at IS NULL AND verification_method IS NULL AND assurance_level IS NULL)"
            " OR (verified_at IS NOT NULL AND verification_method IS NOT NULL"
            " AND assurance_level IS NOT NULL)",
            name="verification_complete",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id", ondelete="CASCADE"), index=True)
    role: Mapped[MembershipRole] = mapped_column(
        enum_type(MembershipRole, "membership_role"), default=MembershipRole.RESIDENT
    )
    created_at: Mapped[datetime] = mapped_column(default=utc_now)

    verification_method: Mapped[VerificationMethod | None] = mapped_column(
        enum_type(VerificationMethod, "verification_method")
    )
    assurance_level: Mapped[AssuranceLevel | None] = mapped_column(
        enum_type(AssuranceLevel, "assurance_level")
    )
    verified_at: Mapped[datetime | None]
    verified_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    verification_note: Mapped[str | None] = mapped_column(Text)
    declared_postcode: Mapped[str | None] = mapped_column(String(16))

    # Blocked in this area by its moderators: no posting, supporting or commenting here.
    blocked_at: Mapped[datetime | None]
    blocked_reason: Mapped[str | None] = mapped_column(Text)

    # A pending request for a moderator to approve residency.
    approval_requested_at: Mapped[datetime | None] = mapped_column(index=True)
    approval_request_message: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship(back_populates="memberships", foreign_keys=[user_id])
    # Permission checks need only area_id; pages that show the area's name load it on use.
    area: Mapped[Area] = relationship()
    verified_by: Mapped[User | None] = relationship(foreign_keys=[verified_by_id], lazy="raise")

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    def is_verified_at_least(self, level: AssuranceLevel) -> bool:
        return self.assurance_level is not None and self.assurance_level.rank >= level.rank


class LetterCodeBatch(Base):
    """Codes generated together by staff, printed and posted to addresses in the area."""

    __tablename__ = "letter_code_batch"
    __table_args__ = (
        CheckConstraint("size > 0", name="size_positive"),
        UniqueConstraint("id", "area_id"),  # what its codes' copied area refers to
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    expires_at: Mapped[datetime]
    size: Mapped[int]
    label: Mapped[str] = mapped_column(String(120), default="")

    codes: Mapped[list[LetterCode]] = relationship(back_populates="batch", lazy="raise",
                                                   foreign_keys="LetterCode.batch_id")
    area: Mapped[Area] = relationship(lazy="raise")
    created_by: Mapped[User | None] = relationship(lazy="joined")


class LetterCode(Base):
    """One single-use code; only its SHA-256 is stored, the plain code exists on paper."""

    __tablename__ = "letter_code"
    __table_args__ = (
        # The copied area is the batch's area.
        ForeignKeyConstraint(["batch_id", "area_id"], ["letter_code_batch.id", "letter_code_batch.area_id"],
                             ondelete="CASCADE", name="fk_letter_code_batch_area_letter_code_batch"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        ForeignKey("letter_code_batch.id", ondelete="CASCADE"), index=True
    )
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[datetime | None]
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)

    batch: Mapped[LetterCodeBatch] = relationship(back_populates="codes", lazy="joined", foreign_keys=[batch_id])


class NoticeKind(enum.StrEnum):
    RESIDENCY_REQUEST = "residency_request"  # to the area's moderators: a resident asks to be verified
    RESIDENCY_APPROVED = "residency_approved"
    RESIDENCY_DECLINED = "residency_declined"


class AccountNotice(Base):
    """News about one's account or team duties: residency requests and their answers.

    Shown in the notification centre beside the news of followed proposals; the mail about it goes
    out when it is made, so it never waits for a digest.
    """

    __tablename__ = "account_notice"
    __table_args__ = (Index("ix_account_notice_user_unread", "user_id", "read_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[NoticeKind] = mapped_column(enum_type(NoticeKind, "notice_kind"))
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id", ondelete="CASCADE"), index=True)
    about_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)  # who asked
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    read_at: Mapped[datetime | None]

    area: Mapped[Area] = relationship(lazy="joined", innerjoin=True)
    about: Mapped[User | None] = relationship(foreign_keys=[about_id], lazy="joined")
