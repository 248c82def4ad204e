"""The session rule and the write guard, used directly as code would use them."""
import pytest
from sqlalchemy import delete, func, select, text, update

from app.extensions import db
from app.models import Club, Contest, ContestEntry, Library, Tenant
from app.tenancy.scope import scope_for
from app.tenancy.session import Misplaced, NotPermitted, Occupied, set_scope, unrestricted
from app.security.models import Account


@pytest.fixture
def session_as(app):
    """A session scoped as a demo user would be; rolled back afterwards."""
    ctx = app.app_context()
    ctx.push()

    def scoped(username):
        with unrestricted(db.session):
            user = db.session.scalar(select(Account).where(Account.username == username))
            scope = scope_for(db.session, user)
        set_scope(db.session, scope)
        return db.session

    yield scoped
    db.session.rollback()
    db.session.remove()
    ctx.pop()


def _count_all(owner_engine, table, tenant):
    with owner_engine.connect() as conn:
        return conn.scalar(text(f"SELECT count(*) FROM {table} x JOIN tenant t ON t.id = x.tenant_id "
                                "WHERE t.name = :n"), {"n": tenant})


def test_selects_gets_and_counts_see_only_the_scope(session_as, owner_engine):
    session = session_as("maglizh.director")
    names = set(session.scalars(select(Tenant.name)))
    assert names == {"Мъглиж", "Област Стара Загора"}
    foreign = owner_engine.connect().scalar(text(
        "SELECT c.id FROM club c JOIN tenant t ON t.id = c.tenant_id WHERE t.name = 'Залегощенский район'"))
    assert session.get(Club, foreign) is None
    assert session.scalar(select(func.count()).select_from(Club)) == _count_all(owner_engine, "club", "Мъглиж")


def test_bulk_update_and_delete_touch_only_the_scope(session_as, owner_engine):
    session = session_as("maglizh.director")
    before = _count_all(owner_engine, "club", "Залегощенский район")
    result = session.execute(update(Club).values(members=Club.members + 0))
    assert result.rowcount == _count_all(owner_engine, "club", "Мъглиж")
    from app.records.event import Event

    held_events = select(Event.club_id).where(Event.club_id.is_not(None))  # those stay with their events
    session.execute(delete(Club).where(Club.name.like("%"), Club.id.not_in(held_events))
                    .execution_options(synchronize_session=False))
    session.rollback()
    assert _count_all(owner_engine, "club", "Залегощенский район") == before


def test_relationship_loads_follow_the_scope(session_as):
    session = session_as("maglizh.branch")
    library = session.scalars(select(Library)).first()
    assert library.tenant.name == "Мъглиж"  # a lazy load, filtered like any other select


def test_the_guard_refuses_a_row_moved_into_a_readonly_tenant(session_as):
    session = session_as("maglizh.director")
    region = session.scalar(select(Tenant).where(Tenant.name == "Област Стара Загора"))
    library = session.scalars(select(Library)).first()
    library.tenant = region  # the region is readable, not writable, for a municipality
    with pytest.raises(NotPermitted):
        session.flush()


def test_the_guard_refuses_a_move_the_role_may_not_make(session_as):
    """A regional methodologist may change a library's contacts, not its district: the
    tenant key is a field like the others, whatever code sets it."""
    session = session_as("sz.methodologist")
    library = session.scalars(select(Library).join(Tenant).where(Tenant.name == "Мъглиж")).first()
    library.tenant = session.scalar(select(Tenant).where(Tenant.name == "Павел баня"))
    with pytest.raises(NotPermitted):
        session.flush()


def test_the_guard_keeps_a_librarys_rows_with_it(session_as):
    """Even where the role may move a library (the Admin), it does not move while staff,
    clubs or entries refer to it: they would stay in the old district."""
    session = session_as("admin")
    library = session.scalars(select(Library).join(Tenant).where(Tenant.name == "Мъглиж")
                              .where(Library.id.in_(select(Club.library_id)))).first()
    library.tenant = session.scalar(select(Tenant).where(Tenant.name == "Чирпан"))
    with pytest.raises(Occupied, match="клуб"):  # outside a request: Russian
        session.flush()


def test_the_guard_refuses_an_entry_to_a_sibling_districts_contest(session_as):
    """A region user sees the contests of all its districts; an entry still goes only
    to its own district's or region's."""
    session = session_as("sz.director")
    pavel = session.scalar(select(Tenant).where(Tenant.name == "Павел баня"))
    contest = Contest(title="Конкурс общины", level="district", year=2025, tenant=pavel)
    session.add(contest)
    session.flush()
    library = session.scalars(select(Library).join(Tenant).where(Tenant.name == "Мъглиж")).first()
    session.add(ContestEntry(contest=contest, library=library, title="Работа"))
    with pytest.raises(Misplaced):
        session.flush()
