"""What a yearly report is offered from the registry (app/statistics/prefill.py): a staff
member or an event recorded shows in the figures the form asks for, and a library outside
the user's scope offers nothing."""
import datetime

import pytest
from sqlalchemy import select

from app.choices import Audience, Education
from app.extensions import db
from app.models import Library, Staff
from app.records.event import Event, EventForm, EventFormat, EventStatus
from app.security.models import Account
from app.statistics.forms import edition
from app.statistics.prefill import suggestions
from app.tenancy.scope import scope_for
from app.tenancy.session import set_scope, unrestricted

LIBRARY = "Бортновская сельская библиотека"
YEAR = datetime.date.today().year - 1


@pytest.fixture
def session_as(app):
    ctx = app.app_context()
    ctx.push()

    def scoped(username):
        with unrestricted(db.session):
            scope = scope_for(db.session, db.session.scalar(select(Account).where(Account.username == username)))
        set_scope(db.session, scope)
        return db.session

    yield scoped
    db.session.rollback()
    db.session.remove()
    ctx.pop()


def _offered(session, library):
    found = suggestions(session, edition("6nk-2021"), library.id, YEAR)
    return {code: s.value for code, s in found.items()}


def test_a_new_young_librarian_and_a_childrens_event_show_in_the_figures(session_as):
    session = session_as("zal.director")
    library = session.scalar(select(Library).where(Library.name == LIBRARY))
    before = _offered(session, library)
    assert set(before) >= {"staff_headcount", "staff_age_under_30", "events_total", "visits_events"}

    session.add(Staff(library=library, full_name="Клюева Анна Сергеевна", position="Библиотекарь",
                      education=Education.higher_library, birth_year=YEAR - 24,
                      hired_on=datetime.date(YEAR, 3, 1), employment_rate=1))
    session.add(Event(library=library, title="Сказки у костра", held_on=datetime.date(YEAR, 7, 2),
                      form=EventForm.quiz, format=EventFormat.outreach, audience=Audience.children,
                      status=EventStatus.held, attendance=23, children=20, youth=0))
    session.add(Event(library=library, title="Планы на осень", held_on=datetime.date(YEAR, 9, 2),
                      form=EventForm.lecture, status=EventStatus.planned))  # not held: not counted
    session.flush()
    after = _offered(session, library)

    grew = {code: after[code] - before[code] for code in after if after[code] != before[code]}
    assert grew == {"staff_headcount": 1, "staff_higher": 1, "staff_higher_library": 1,
                    "staff_age_under_30": 1, "events_total": 1, "events_children": 1,
                    "events_outreach": 1, "visits_events": 23}


def test_a_library_outside_the_scope_offers_nothing(session_as):
    with unrestricted(db.session):
        foreign = db.session.scalar(select(Library).where(Library.name == LIBRARY))
        own = _offered(db.session, foreign)
    assert own["staff_headcount"] > 0  # the demo library has staff
    session = session_as("maglizh.director")  # another country, another district
    assert set(_offered(session, foreign).values()) == {0}


def test_a_new_report_starts_with_what_the_registry_knows(app, owner_engine):
    import json

    from sqlalchemy import text

    from .conftest import login
    from .test_stat_reports import _add, _library, _report_id, _text

    library = _library(owner_engine, "Золотаревская сельская библиотека")
    page = _add(login(app, "zal.methodologist"), library, 2021)
    pk = _report_id(owner_engine, library, 2021)
    try:
        with owner_engine.connect() as conn:
            staff = conn.execute(text("SELECT count(*) FROM staff WHERE library_id = :l AND active"),
                                 {"l": library}).scalar()
            values = conn.execute(text('SELECT "values" FROM stat_report WHERE id = :i'), {"i": pk}).scalar()
        values = json.loads(values) if isinstance(values, str) else values
        assert values["staff_headcount"] == staff
        assert "заполнены по данным" in _text(page) and "записи о сотрудниках" in _text(page)
    finally:
        with owner_engine.begin() as conn:
            conn.execute(text("DELETE FROM stat_report_step WHERE report_id = :i"), {"i": pk})
            conn.execute(text("DELETE FROM stat_report WHERE id = :i"), {"i": pk})
