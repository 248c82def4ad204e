"""The records a library network keeps. Tenancy columns come from app.tenancy.mixins."""
from flask_appbuilder import Model
from sqlalchemy import (
    Boolean, CheckConstraint, Column, Date, Enum, ForeignKey, Index, Integer, Numeric,
    String, Text, UniqueConstraint, true,
)
from sqlalchemy.orm import relationship

from .choices import (
    Audience, ContestLevel, ContestResult, Education, LibraryKind, LibraryStatus, Locale,
    OutreachKind, TenantKind, default_time_zone,
)
from .tenancy import LibraryOwned, TenantOwned
from .tenancy.mixins import Versioned

# More inhabitants than the largest Russian region has is a typing mistake.
MAX_POPULATION = 20_000_000


def choice(enum_cls, constraint: str | None = None, **kw):
    """A column holding a Choice code, checked by the database; the API speaks codes.
    `constraint` names the check where a table has two columns of one Choice."""
    return Column(
        Enum(enum_cls, native_enum=False, create_constraint=True, length=20,
             name=constraint or f"ck_{enum_cls.__name__.lower()}"),
        info={"marshmallow_by_value": False}, **kw,
    )


class Tenant(Versioned, Model):
    """A region (область / област) or a district (район / община)."""

    __tablename__ = "tenant"
    __tenant_keys__ = ("id", None)  # the tenant table is placed by its own id
    __readable_from_ancestors__ = True  # a district sees its region (the owner of its contests)
    __table_args__ = (
        UniqueConstraint("code", name="uq_tenant_code"),
        UniqueConstraint("parent_id", "name", name="uq_tenant_parent_name"),
        CheckConstraint("(kind = 'region') = (parent_id IS NULL)", name="ck_tenant_parent"),
        CheckConstraint(f"population BETWEEN 1 AND {MAX_POPULATION}", name="ck_tenant_population"),
        CheckConstraint("stat_threshold BETWEEN 1 AND 100", name="ck_tenant_stat_threshold"),
    )
    id = Column(Integer, primary_key=True)
    kind = choice(TenantKind, nullable=False)
    parent_id = Column(Integer, ForeignKey("tenant.id", name="fk_tenant_parent"), index=True)
    parent = relationship("Tenant", remote_side=[id])
    children = relationship("Tenant", viewonly=True)  # read with a user's node (app.security.manager)
    name = Column(String(150), nullable=False)
    code = Column(String(20), nullable=False)
    default_locale = choice(Locale, nullable=False, default=Locale.ru)
    # Where its people live: times (the audit trail's) are shown in this zone (app.choices.TIME_ZONES).
    time_zone = Column(String(40), nullable=False, server_default="Europe/Moscow",
                       default=lambda ctx: default_time_zone(ctx.get_current_parameters().get("default_locale")))
    # Its public pages (app/public): on unless switched off, and the sites that may show
    # them in a frame (origins separated by spaces, app.validation.frame_origins).
    public_pages = Column(Boolean, nullable=False, default=True, server_default=true())
    public_frame_origins = Column(String(500))
    # Its inhabitants, for the ratios per inhabitant of its statistics (app/statistics/ratios.py).
    population = Column(Integer)
    # A region's: the change from last year, in per cent, beyond which its statistical reports
    # need a note (app/statistics/checks.py); 20 where unset.
    stat_threshold = Column(Integer)

    def __str__(self):
        return self.name

    @staticmethod
    def __rules__(values: dict) -> dict[str, str]:
        """A population is a number of people that a region or district could have."""
        from flask_babel import gettext

        from .i18n import format_number

        found = {}
        population = values.get("population")
        if isinstance(population, int) and not 1 <= population <= MAX_POPULATION:
            found["population"] = gettext("Enter the number of inhabitants, a whole number from 1 to %(max)s.",
                                          max=format_number(MAX_POPULATION))
        threshold = values.get("stat_threshold")
        if threshold is not None:
            kind = getattr(values.get("kind"), "name", values.get("kind"))
            if kind == "district" or values.get("parent") is not None:
                found["stat_threshold"] = gettext("The region sets it for all its districts.")
            elif not isinstance(threshold, int) or not 1 <= threshold <= 100:
                found["stat_threshold"] = gettext("Enter a whole number of per cent from 1 to 100.")
        return found

    def public_address(self) -> str | None:
        """The code its public pages are found by, while they are on (its screen links them)."""
        return self.code if self.public_pages else None


class Library(TenantOwned, Model):
    __tablename__ = "library"
    __tenant_keys__ = ("tenant_id", "id")  # branch staff edit their own library
    __table_args__ = (
        UniqueConstraint("tenant_id", "id", name="uq_library_tenant_id"),
        UniqueConstraint("tenant_id", "name", name="uq_library_tenant_name"),
        Index("ix_library_tenant_kind", "tenant_id", "kind", "status"),
        CheckConstraint("founded_year BETWEEN 1500 AND 2100", name="ck_library_founded"),
    )
    id = Column(Integer, primary_key=True)
    name = Column(String(255), nullable=False)
    kind = choice(LibraryKind, nullable=False)
    settlement = Column(String(120))
    address = Column(String(255))
    phone = Column(String(100))
    email = Column(String(120))
    website = Column(String(255))
    working_hours = Column(String(500))
    founded_year = Column(Integer)
    status = choice(LibraryStatus, nullable=False, default=LibraryStatus.active)
    closed_on = Column(Date)

    def __str__(self):
        return self.name


class Staff(LibraryOwned, Model):
    __tablename__ = "staff"
    __search_column__ = "full_name"  # what relation fields search by
    __private_to_library__ = True  # personal data: branch staff see their own library only
    __table_extra__ = (
        Index("ix_staff_tenant_name", "tenant_id", "full_name"),
        UniqueConstraint("tenant_id", "id", name="uq_staff_tenant_id"),  # what events refer to
        CheckConstraint("employment_rate > 0 AND employment_rate <= 2", name="ck_staff_rate"),
    )
    id = Column(Integer, primary_key=True)
    full_name = Column(String(150), nullable=False)
    position = Column(String(150), nullable=False)
    education = choice(Education, nullable=False)
    hired_on = Column(Date)
    birth_year = Column(Integer)
    employment_rate = Column(Numeric(3, 2), nullable=False, default=1)
    active = Column(Boolean, nullable=False, default=True)

    def __str__(self):
        return self.full_name


class Club(LibraryOwned, Model):
    """An interest club (клуб по интересам / клуб по интереси) or a hobby circle."""

    __tablename__ = "club"
    __table_extra__ = (
        UniqueConstraint("tenant_id", "library_id", "name", name="uq_club_tenant_name"),
        UniqueConstraint("tenant_id", "id", name="uq_club_tenant_id"),  # what events refer to
        CheckConstraint("members >= 0", name="ck_club_members"),
    )
    id = Column(Integer, primary_key=True)
    name = Column(String(255), nullable=False)
    audience = choice(Audience, nullable=False)
    founded_year = Column(Integer)
    members = Column(Integer, nullable=False, default=0)
    schedule = Column(String(255))
    partner = Column(String(255))
    description = Column(Text)
    active = Column(Boolean, nullable=False, default=True)

    def __str__(self):
        return self.name


class Outreach(LibraryOwned, Model):
    """An outreach point: a mobile collection, a lending point, home service, a bus stop."""

    __tablename__ = "outreach"
    __search_column__ = "location"
    __table_extra__ = (
        CheckConstraint("readers_served >= 0", name="ck_outreach_readers"),
        UniqueConstraint("tenant_id", "id", name="uq_outreach_tenant_id"),  # what events refer to
    )
    id = Column(Integer, primary_key=True)
    kind = choice(OutreachKind, nullable=False)
    location = Column(String(255), nullable=False)
    served = Column(String(255))
    readers_served = Column(Integer, nullable=False, default=0)
    active_since = Column(Date)

    def __str__(self):
        return self.location


class Contest(TenantOwned, Model):
    """A contest owned by a district or by a region; libraries below the owner enter it."""

    __tablename__ = "contest"
    __readable_from_ancestors__ = True  # a district enters its region's contests
    __search_column__ = "title"  # what relation fields search by (default: name)
    __table_args__ = (
        UniqueConstraint("tenant_id", "year", "title", name="uq_contest_tenant_title"),
        CheckConstraint("ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on",
                        name="ck_contest_dates"),
    )
    id = Column(Integer, primary_key=True)
    title = Column(String(255), nullable=False)
    level = choice(ContestLevel, nullable=False)
    year = Column(Integer, nullable=False)
    starts_on = Column(Date)
    ends_on = Column(Date)
    description = Column(Text)
    nominations = Column(Text)

    def __str__(self):
        return f"{self.title} ({self.year})"


class ContestEntry(LibraryOwned, Model):
    """A library's entry to a contest; it stays in the entrant's district."""

    __tablename__ = "contest_entry"
    __table_extra__ = (
        Index("ix_contest_entry_tenant_contest", "tenant_id", "contest_id"),
        UniqueConstraint("tenant_id", "contest_id", "library_id", "title",
                         name="uq_contest_entry_title"),
    )
    id = Column(Integer, primary_key=True)
    contest_id = Column(Integer, ForeignKey("contest.id", name="fk_contest_entry_contest"),
                        nullable=False)
    contest = relationship("Contest")
    nomination = Column(String(255))
    title = Column(String(255), nullable=False)
    submitted_on = Column(Date)
    result = choice(ContestResult)

    def __str__(self):
        return self.title
