"""Training programmes of the methodological work: a named school with its classes, as the
district library's "Школа библиотечного мастерства" with «Азы», «Библиотечный ориентир»,
«Творческий полигон» and «Мобильный профессионал». Each session is a methodological
activity of one class (method_activity.py: its programme class).

A programme and its classes belong to the tenant that runs them; the districts below a
region read the region's (read-only), as they read its contests: their staff attend them.
"""
from flask_babel import lazy_gettext, ngettext
from flask_appbuilder import Model
from sqlalchemy import Boolean, Column, ForeignKeyConstraint, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import declared_attr, relationship

from app.api.base import RecordApi
from app.security.roles import BRANCH, DIRECTOR, METHODOLOGIST, VIEWER
from app.tenancy import TenantOwned
from app.views.base import RecordView

from . import RecordType, declare


class MethodProgramme(TenantOwned, Model):
    __tablename__ = "method_programme"
    __readable_from_ancestors__ = True  # a region's school, read by its districts
    __table_args__ = (
        UniqueConstraint("tenant_id", "name", name="uq_method_programme_tenant_name"),
        UniqueConstraint("tenant_id", "id", name="uq_method_programme_tenant_id"),  # what classes refer to
    )
    id = Column(Integer, primary_key=True)
    name = Column(String(255), nullable=False)
    audience = Column(String(255))  # whom it trains: "new staff", "rural librarians"
    description = Column(Text)
    active = Column(Boolean, nullable=False, default=True)

    def __str__(self):
        return self.name


class MethodProgrammeClass(TenantOwned, Model):
    """One class of a programme; it lives in its programme's tenant (the programme places it)."""

    __tablename__ = "method_programme_class"
    __readable_from_ancestors__ = True
    __table_args__ = (
        UniqueConstraint("tenant_id", "programme_id", "name", name="uq_method_programme_class_name"),
        UniqueConstraint("tenant_id", "id", name="uq_method_programme_class_tenant_id"),  # what activities refer to
        ForeignKeyConstraint(["tenant_id", "programme_id"], ["method_programme.tenant_id", "method_programme.id"],
                             name="fk_method_programme_class_programme"),
        Index("ix_method_programme_class_tenant_programme", "tenant_id", "programme_id"),
    )
    id = Column(Integer, primary_key=True)
    programme_id = Column(Integer, nullable=False)
    name = Column(String(255), nullable=False)
    position = Column(Integer)  # its place in the programme: «Азы» first
    description = Column(Text)

    @declared_attr
    def tenant(cls):
        return relationship("Tenant", viewonly=True)  # the programme's: it follows the programme

    @declared_attr
    def programme(cls):
        return relationship("MethodProgramme", foreign_keys=[cls.tenant_id, cls.programme_id])

    def __str__(self):
        # Chosen on an activity among several programmes' classes: said with its programme.
        return f"{self.programme.name}: {self.name}" if self.programme is not None else self.name


GRANTS = {DIRECTOR: "raed", METHODOLOGIST: "raed", BRANCH: "r", VIEWER: "r"}
LABELS = {"audience": lazy_gettext("Whom it trains"), "programme": lazy_gettext("Programme"),
          "position": lazy_gettext("Order")}


class MethodProgrammeClassView(RecordView):
    model = MethodProgrammeClass
    list_title, show_title = lazy_gettext("Programme classes"), lazy_gettext("Programme class")
    add_title, edit_title = lazy_gettext("Add a class"), lazy_gettext("Edit a class")
    list_columns = ["position", "name", "programme", "description"]
    search_columns = ["name", "programme"]
    add_columns = edit_columns = show_columns = ["programme", "position", "name", "description"]
    order_columns = ["position", "name"]
    base_order = ("position", "asc")
    description_columns = {"position": lazy_gettext("Its place in the programme: 1 for the first class.")}


class MethodProgrammeView(RecordView):
    model = MethodProgramme
    list_title, show_title = lazy_gettext("Training programmes"), lazy_gettext("Training programme")
    add_title, edit_title = lazy_gettext("Add a programme"), lazy_gettext("Edit a programme")
    list_columns = ["name", "tenant", "audience", "active"]
    search_columns = ["name", "tenant", "active"]
    add_columns = edit_columns = show_columns = ["name", "tenant", "audience", "description", "active"]
    order_columns = ["name"]
    base_order = ("name", "asc")


class MethodProgrammeApi(RecordApi):
    model, resource_name = MethodProgramme, "method_programme"
    add_columns = edit_columns = ["name", "tenant", "audience", "description", "active"]
    list_columns = show_columns = ["id", "tenant.id", "tenant.name", "name", "audience", "description", "active"]
    order_columns = ["name"]


class MethodProgrammeClassApi(RecordApi):
    model, resource_name = MethodProgrammeClass, "method_programme_class"
    add_columns = edit_columns = ["programme", "position", "name", "description"]
    list_columns = show_columns = ["id", "programme.id", "programme.name", "position", "name", "description"]
    order_columns = ["position", "name"]


# The demo's programmes, from the seeds: Залегощенский район's school ("непрерывная учёба кадров
# в школе библиотечного мастерства по классам"), Стара Загора's practicums for librarians
# without professional training and its computer skills courses. Each class: (name, about,
# the topic of its activities).
PROGRAMMES = [
    ("ORL-ZAL", "Школа библиотечного мастерства", "Сотрудники библиотек района",
     "Непрерывная учёба кадров библиотек района.",
     [("Азы", "Основы библиотечной работы для новых сотрудников", "класс «Азы»"),
      ("Библиотечный ориентир", "Планирование и отчётность", "класс «Библиотечный ориентир»"),
      ("Творческий полигон", "Новые формы массовых мероприятий", "класс «Творческий полигон»"),
      ("Мобильный профессионал", "Работа в социальных сетях", "класс «Мобильный профессионал»")]),
    ("SZR", "Квалификация на библиотекарите от общините", "Библиотекари без професионален опит",
     "Минимум знания и умения по основни библиотечни дейности и компютърни умения.",
     [("Основни библиотечни дейности", "Обучителни практикуми", "Обучителен практикум"),
      ("Компютърни и информационни умения", "Обучения за работа с автоматизирани системи",
       "автоматизирана библиотечна система")]),
]


def demo_programmes(tenants: dict, libraries: dict) -> None:
    """Adds what is missing of PROGRAMMES, and links the owner's activities to their class."""
    from sqlalchemy import select

    from app.extensions import db
    from app.records.method_activity import MethodActivity

    for code, name, audience, description, classes in PROGRAMMES:
        owner = tenants[code]
        programme = db.session.scalars(select(MethodProgramme).filter_by(tenant=owner, name=name)).first()
        if programme is None:
            programme = MethodProgramme(tenant=owner, name=name, audience=audience, description=description,
                                        active=True)
            db.session.add(programme)
            db.session.flush()
        for position, (title, about, topic) in enumerate(classes, 1):
            found = db.session.scalars(select(MethodProgrammeClass).filter_by(programme=programme, name=title)).first()
            if found is None:
                found = MethodProgrammeClass(programme=programme, position=position, name=title, description=about)
                db.session.add(found)
                db.session.flush()
            for activity in db.session.scalars(select(MethodActivity).where(
                    MethodActivity.tenant_id == owner.id, MethodActivity.topic.contains(topic),
                    MethodActivity.programme_class_id.is_(None))):
                activity.programme_class = found
    db.session.flush()


declare(RecordType(
    "method_programme", MethodProgrammeView, MethodProgrammeApi, "Training programmes",
    lazy_gettext("Training programmes"), lazy_gettext("Training programme"), "fa-graduation-cap", GRANTS,
    count=lambda n: ngettext("%(num)d training programme", "%(num)d training programmes", n),
    labels=LABELS, demo=demo_programmes, natural_key=("tenant", "name"), category="Work", order=25,
))
declare(RecordType(
    "method_programme_class", MethodProgrammeClassView, MethodProgrammeClassApi, "Programme classes",
    lazy_gettext("Programme classes"), lazy_gettext("Programme class"), "fa-book", GRANTS,
    count=lambda n: ngettext("%(num)d programme class", "%(num)d programme classes", n),
    labels=LABELS, listed_on=("method_programme",), natural_key=("programme", "name"), category="Work",
    order=26,
))
