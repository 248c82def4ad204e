"""Methodological publications (методические издания / методически издания): the
collections of scripts, recommended reading lists, guides (памятки), methodological
materials and calendars of dates a district or region prepares for its libraries, each
with its file (app.attachments) or a link, or both.

A publication belongs to the tenant that prepared it; its districts read a region's (they
are what it prepared them for), as they read its contests.
"""
from urllib.parse import urlsplit

from flask_babel import gettext, lazy_gettext, ngettext
from flask_appbuilder import Model
from sqlalchemy import CheckConstraint, Column, ForeignKeyConstraint, Index, Integer, String, Text
from sqlalchemy.orm import relationship

from app.api.attachments import AttachmentApi
from app.api.base import RecordApi
from app.attachments import WithAttachment, attachment_constraints, register
from app.choices import Audience, Choice, _l  # _l: a choice's label, said when printed
from app.models import choice
from app.security.roles import BRANCH, DIRECTOR, METHODOLOGIST, VIEWER
from app.tenancy import TenantOwned
from app.views.attachments import AttachmentView
from app.views.base import RecordView

from . import RecordType, declare


class PublicationGenre(Choice):
    scripts = _l("Collection of scripts")
    reading_list = _l("Recommended reading list")
    guide = _l("Guide (leaflet)")
    methodological = _l("Methodological materials")
    calendar = _l("Calendar of dates")
    other = _l("Other publication")


class PublicationAudience(Choice):
    specialists = _l("Library specialists")  # most are written for them
    children = Audience.children.value
    youth = Audience.youth.value
    adults = Audience.adults.value
    seniors = Audience.seniors.value
    families = Audience.families.value
    disabled = Audience.disabled.value


MAX_PAGES = 10_000


class MethodPublication(WithAttachment, TenantOwned, Model):
    __tablename__ = "method_publication"
    __search_column__ = "title"
    __readable_from_ancestors__ = True  # a district reads what its region prepared
    __table_args__ = (
        Index("ix_method_publication_tenant_year", "tenant_id", "year"),
        CheckConstraint(f"pages > 0 AND pages <= {MAX_PAGES}", name="ck_method_publication_pages"),
        *attachment_constraints("method_publication"),
        ForeignKeyConstraint(["tenant_id", "staff_id"], ["staff.tenant_id", "staff.id"],
                             name="fk_method_publication_staff"),
    )
    id = Column(Integer, primary_key=True)
    title = Column(String(255), nullable=False)
    genre = choice(PublicationGenre, nullable=False)
    year = Column(Integer, nullable=False)
    pages = Column(Integer)
    audience = choice(PublicationAudience)
    staff_id = Column(Integer)  # who prepared it: one of the tenant's own staff
    staff = relationship("Staff", primaryjoin="and_(Staff.id == foreign(MethodPublication.staff_id), "
                                              "Staff.tenant_id == MethodPublication.tenant_id)")
    link = Column(String(500))  # where it is published on the web
    description = Column(Text)

    def __str__(self):
        return self.title

    @staticmethod
    def __rules__(values: dict) -> dict[str, str]:
        """Pages a book can have; a link to a web page (http or https), nothing else."""
        found = {}
        pages = values.get("pages")
        if isinstance(pages, int) and not 0 < pages <= MAX_PAGES:
            found["pages"] = gettext("Enter a number of pages from 1 to %(max)d.", max=MAX_PAGES)
        link = values.get("link")
        if isinstance(link, str) and link.strip():
            parts = urlsplit(link.strip())
            if parts.scheme.lower() not in ("http", "https") or not parts.hostname or any(c.isspace() for c in link.strip()):
                found["link"] = gettext("Enter a web address that starts with http:// or https://.")
        return found


register(MethodPublication)  # its file goes when it is replaced, removed or deleted

LABELS = {
    "genre": lazy_gettext("Kind of publication"), "pages": lazy_gettext("Pages"),
    "staff": lazy_gettext("Prepared by"), "link": lazy_gettext("Link"),
    "description": lazy_gettext("Annotation"), "file_name": lazy_gettext("File"),
    "file_type": lazy_gettext("File type"), "file_size": lazy_gettext("File size, bytes"),
}
COLUMNS = ["title", "genre", "year", "pages", "audience", "tenant", "staff", "description", "attachment", "link"]


class MethodPublicationView(AttachmentView, RecordView):
    model = MethodPublication
    list_title, show_title = lazy_gettext("Methodological publications"), lazy_gettext("Methodological publication")
    add_title, edit_title = lazy_gettext("Add a publication"), lazy_gettext("Edit a publication")
    list_columns = ["year", "title", "genre", "tenant", "attachment"]
    quick_search_columns = ["title", "description"]
    search_columns = ["title", "genre", "year", "audience", "tenant", "staff"]
    add_columns = edit_columns = show_columns = COLUMNS
    order_columns = ["year", "title", "genre"]
    base_order = ("year", "desc")
    description_columns = {
        "link": lazy_gettext("Where it is published on the web: an address that starts with http:// or https://."),
    }


class MethodPublicationApi(AttachmentApi, RecordApi):
    model, resource_name = MethodPublication, "method_publication"
    add_columns = edit_columns = ["title", "genre", "year", "pages", "audience", "tenant", "staff", "link",
                                  "description"]
    list_columns = show_columns = ["id", "tenant.id", "tenant.name", "title", "genre", "year", "pages",
                                   "audience", "staff.id", "staff.full_name", "link", "description",
                                   "file_name", "file_type", "file_size"]
    order_columns = ["year", "title", "genre"]


def demo_publications(tenants: dict, libraries: dict) -> None:
    """The demo's publications (app/demo_data/method_publications.csv): Залегощенский
    район's as its report names them; Stara Zagora's text names its practicums but not their
    materials, so its one row is the practicums' handout, after their theme."""
    import csv
    from pathlib import Path

    from sqlalchemy import select

    from app.extensions import db

    path = Path(__file__).parents[1] / "demo_data" / "method_publications.csv"
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter=";"):
            owner = tenants[row["owner"]]
            if db.session.scalar(select(MethodPublication.id).filter_by(tenant_id=owner.id, title=row["title"])):
                continue
            db.session.add(MethodPublication(
                tenant=owner, title=row["title"], genre=PublicationGenre[row["genre"]], year=int(row["year"]),
                audience=PublicationAudience[row["audience"]] if row["audience"] else None,
                pages=int(row["pages"]) if row["pages"] else None, description=row["description"] or None))
    db.session.flush()


declare(RecordType(
    "method_publication", MethodPublicationView, MethodPublicationApi, "Methodological publications",
    lazy_gettext("Methodological publications"), lazy_gettext("Methodological publication"), "fa-book",
    {DIRECTOR: "raed", METHODOLOGIST: "raed", BRANCH: "r", VIEWER: "r"},
    count=lambda n: ngettext("%(num)d methodological publication", "%(num)d methodological publications", n),
    labels=LABELS, demo=demo_publications, natural_key=("tenant", "title", "year"), category="Work",
    order=35,
))
