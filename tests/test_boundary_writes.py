"""Writes at the edge of the boundary: rows that move between tenants, the foreign keys
that keep a row with its library, delete refusals that count only what the user can
see, and contest entries that stay within the contests their library may enter."""
import datetime
import uuid

import pytest
from flask_appbuilder import Model
from sqlalchemy import select, text, tuple_
from sqlalchemy.exc import IntegrityError

from app.extensions import db

from .conftest import POSTGRES, login, snapshot, put_current


def _one(engine, sql, **params):
    with engine.connect() as conn:
        return conn.execute(text(sql), params).first()


def _id(engine, sql, **params):
    row = _one(engine, sql, **params)
    assert row is not None, sql
    return row[0]


def _tenant(engine, name):
    return _id(engine, "SELECT id FROM tenant WHERE name = :n", n=name)


def _execute(engine, sql, **params):
    with engine.begin() as conn:
        return conn.execute(text(sql), params)


# -- foreign keys --------------------------------------------------------------

def _foreign_key_violation(error: IntegrityError) -> bool:
    if POSTGRES:
        return getattr(error.orig, "sqlstate", None) == "23503"
    return "FOREIGN KEY constraint failed" in str(error.orig)


def _breaking_values(conn, fk, row=None):
    """Values for the constraint's columns that each exist in the referred table but
    not together (composite keys) or not at all (one column): only this key fails. Where
    the key's columns are part of the row's primary key (a link table's), the changed row
    must not take another row's primary key: that refusal would come first."""
    referred, table = fk.referred_table, fk.parent
    columns = [e.column for e in fk.elements]
    rows = conn.execute(select(*columns)).all()
    if len(columns) == 1:
        return [max((r[0] for r in rows), default=0) + 10**6]
    existing = {tuple(r) for r in rows}
    pk = list(table.primary_key.columns)
    taken = {tuple(r) for r in conn.execute(select(*pk))} if row is not None else set()
    local = [c.name for c in fk.columns]
    for first in rows:
        for other in rows:
            candidate = (first[0], *other[1:])
            if candidate in existing:
                continue
            changed = dict(zip([c.name for c in pk], row or ()))
            changed.update((name, value) for name, value in zip(local, candidate) if name in changed)
            overlaps = set(local) & {c.name for c in pk}
            if row is None or not overlaps or tuple(changed[c.name] for c in pk) not in taken:
                return list(candidate)
    pytest.fail(f"{referred.name}: too few rows to break {fk.name}")


def _enforcing_engine(app, owner_engine):
    """SQLite: the service's own engine (the pragma is per connection). PostgreSQL: the
    owner, past row-level security; foreign keys hold for every role there anyway."""
    if POSTGRES:
        return owner_engine
    with app.app_context():
        return db.engine


def _dummy(column):
    """A value a NOT NULL column without a default accepts (a row only to try a key on)."""
    kind = column.type
    if getattr(kind, "enums", None):
        return kind.enums[0]
    python = kind.python_type
    if python is str:
        return f"fk-{uuid.uuid4().hex}"[: getattr(kind, "length", None) or 36]
    if python is datetime.datetime:
        return datetime.datetime(2020, 1, 1)
    if python is datetime.date:
        return datetime.date(2020, 1, 1)
    return python(1)


def _a_row(conn, table) -> tuple:
    """The primary key of a row of `table`, preferring one that refers to something; in
    an empty table (groups, API keys) one is added, with whatever it must refer to."""
    pk = list(table.primary_key.columns)
    referring = [table.c[c.name] for fk in table.foreign_key_constraints for c in fk.columns]
    row = conn.execute(select(*pk).where(*(c.isnot(None) for c in referring)).limit(1)).first() \
        or conn.execute(select(*pk).limit(1)).first()
    if row is not None:
        return tuple(row)
    values = {}
    for fk in table.foreign_key_constraints:
        target = fk.referred_table
        _a_row(conn, target)
        first = conn.execute(select(*(e.column for e in fk.elements)).limit(1)).first()
        values.update({c.name: v for c, v in zip(fk.columns, first)})
    for column in table.columns:
        if column.name in values or column.nullable or column.default is not None \
                or column.server_default is not None or (column.primary_key and column.autoincrement):
            continue
        values[column.name] = _dummy(column)
    conn.execute(table.insert().values(values))
    return tuple(conn.execute(select(*pk).order_by(*(c.desc() for c in pk)).limit(1)).first())


def test_every_foreign_key_is_enforced(app, owner_engine):
    """Generated from the metadata: every foreign key, the composite ones included,
    refuses a change that leaves its row referring to nothing, on SQLite as on
    PostgreSQL. (Each try is rolled back.)"""
    engine = _enforcing_engine(app, owner_engine)
    tried = []
    for table in Model.metadata.sorted_tables:
        for fk in table.foreign_key_constraints:
            local = [table.c[c.name] for c in fk.columns]
            pk = list(table.primary_key.columns)
            with engine.connect() as conn, conn.begin() as transaction:
                row = _a_row(conn, table)
                values = _breaking_values(conn, fk, row)
                statement = table.update().where(tuple_(*pk) == row) \
                    .values({c.name: v for c, v in zip(local, values)})
                with pytest.raises(IntegrityError) as refused:
                    conn.execute(statement)
                transaction.rollback()
            assert _foreign_key_violation(refused.value), f"{table.name} {fk.name}: {refused.value.orig}"
            tried.append((table.name, *fk.columns.keys()))
    composite = [t for t in tried if len(t) > 2]
    assert len(composite) >= 4 and len(tried) >= 20, tried


# -- moving rows between tenants ---------------------------------------------------

def _library_with_dependents(engine, district):
    return _id(engine, "SELECT l.id FROM library l JOIN tenant t ON t.id = l.tenant_id "
                       "WHERE t.name = :d AND EXISTS (SELECT 1 FROM staff s WHERE s.library_id = l.id) "
                       "AND EXISTS (SELECT 1 FROM club c WHERE c.library_id = l.id) ORDER BY l.id", d=district)


def _put(client, url, body):
    return put_current(client, f"{url}?_l_=en", body)


def test_a_methodologist_cannot_move_a_library_to_another_district(app, owner_engine):
    """The role table lets her change a library's contacts, name, settlement and year:
    not its district, whatever path she takes."""
    client = login(app, "sz.methodologist")
    library = _library_with_dependents(owner_engine, "Мъглиж")
    before = snapshot(owner_engine)
    response = _put(client, f"/api/v1/library/{library}", {"tenant": _tenant(owner_engine, "Павел баня")})
    assert response.status_code == 403, response.get_json()
    assert "does not allow" in response.get_json()["message"]
    assert snapshot(owner_engine) == before
    # Her own fields still save.
    phone = _one(owner_engine, "SELECT phone FROM library WHERE id = :i", i=library)[0]
    assert _put(client, f"/api/v1/library/{library}", {"phone": "+359 1"}).status_code == 200
    _execute(owner_engine, "UPDATE library SET phone = :p, version = version - 1 WHERE id = :i", p=phone, i=library)


def test_a_library_with_records_is_not_moved_and_an_empty_one_is(app, owner_engine):
    """A regional director may move a library between her districts, but not while
    staff, clubs, outreach points or entries would stay behind (refused, in words that
    name them); an empty library moves."""
    client = login(app, "sz.director")
    library = _library_with_dependents(owner_engine, "Мъглиж")
    other = _tenant(owner_engine, "Павел баня")
    before = snapshot(owner_engine)
    response = _put(client, f"/api/v1/library/{library}", {"tenant": other})
    assert response.status_code == 409, response.get_json()
    message = response.get_json()["message"]
    assert "Cannot move" in message and "staff member" in message and "club" in message, message
    assert snapshot(owner_engine) == before

    created = client.post("/api/v1/library/", json={"name": "Новая библиотека для переноса",
                                                     "kind": "branch", "status": "active",
                                                     "tenant": _tenant(owner_engine, "Мъглиж")})
    assert created.status_code == 201, created.get_json()
    new = created.get_json()["id"]
    try:
        moved = _put(client, f"/api/v1/library/{new}", {"tenant": other})
        assert moved.status_code == 200, moved.get_json()
        assert _one(owner_engine, "SELECT tenant_id FROM library WHERE id = :i", i=new)[0] == other
    finally:
        _execute(owner_engine, "DELETE FROM library WHERE id = :i", i=new)


def test_no_row_is_left_without_its_library(app, owner_engine):
    """However a library is moved (here as the Admin, who may move anything), no staff,
    club, outreach point or entry stays behind in the old district."""
    client = login(app, "admin")
    library = _library_with_dependents(owner_engine, "Мъглиж")
    response = _put(client, f"/api/v1/library/{library}", {"tenant": _tenant(owner_engine, "Чирпан")})
    assert response.status_code == 409
    orphans = _one(owner_engine, "SELECT count(*) FROM staff s WHERE NOT EXISTS (SELECT 1 FROM library l "
                                 "WHERE l.id = s.library_id AND l.tenant_id = s.tenant_id)")[0]
    assert orphans == 0


def test_a_clubs_library_changes_only_within_what_the_role_may_write(app, owner_engine):
    branch = login(app, "maglizh.branch")
    own = _id(owner_engine, "SELECT library_id FROM ab_user WHERE username = 'maglizh.branch'")
    director = login(app, "maglizh.director")
    # A new club: one that held events stays with them (they are its library's).
    club = director.post("/api/v1/club/", json={"name": "Клуб для переезда", "library": own,
                                               "audience": "adults"}).get_json()["id"]
    neighbour = _id(owner_engine, "SELECT id FROM library WHERE tenant_id = (SELECT tenant_id FROM library "
                                  "WHERE id = :l) AND id <> :l", l=own)
    before = snapshot(owner_engine)
    response = _put(branch, f"/api/v1/club/{club}", {"library": neighbour})
    assert response.status_code == 403, response.get_json()
    assert snapshot(owner_engine) == before

    assert _put(director, f"/api/v1/club/{club}", {"library": neighbour}).status_code == 200
    assert _put(director, f"/api/v1/club/{club}", {"library": own}).status_code == 200
    assert director.delete(f"/api/v1/club/{club}").status_code == 200


# -- contest entries ---------------------------------------------------------------

@pytest.fixture
def district_contest(app, owner_engine):
    """A contest of Павел баня, added by the regional director; removed afterwards."""
    client = login(app, "sz.director")
    response = client.post("/api/v1/contest/", json={
        "title": "Конкурс на общината", "level": "district", "year": 2025,
        "tenant": _tenant(owner_engine, "Павел баня")})
    assert response.status_code == 201, response.get_json()
    contest = response.get_json()["id"]
    yield contest
    _execute(owner_engine, "DELETE FROM contest_entry WHERE contest_id = :c", c=contest)
    _execute(owner_engine, "DELETE FROM contest WHERE id = :c", c=contest)


def _maglizh_library(engine):
    return _id(engine, "SELECT l.id FROM library l JOIN tenant t ON t.id = l.tenant_id "
                       "WHERE t.name = 'Мъглиж' ORDER BY l.id")


def test_an_entry_goes_only_to_a_contest_its_district_may_enter(app, owner_engine, district_contest):
    """A region user sees every district's contests, but a library of Мъглиж enters
    only Мъглиж's contests and the region's: refused on the contest field, by the API
    and by the form alike, and nothing is saved."""
    client = login(app, "sz.director")
    library = _maglizh_library(owner_engine)
    before = snapshot(owner_engine)
    response = client.post("/api/v1/contest_entry/?_l_=en", json={
        "contest": district_contest, "library": library, "title": "Чужой конкурс"})
    assert response.status_code == 422, response.get_json()
    assert "may not enter this contest" in response.get_json()["errors"]["contest"][0]
    page = client.post("/contestentryview/add?_l_=en", data={
        "contest": district_contest, "library": library, "title": "Чужой конкурс"})
    assert page.status_code == 200 and "may not enter this contest" in page.get_data(as_text=True)
    assert snapshot(owner_engine) == before

    region_contest = _id(owner_engine, "SELECT c.id FROM contest c JOIN tenant t ON t.id = c.tenant_id "
                                       "WHERE t.name = 'Област Стара Загора'")
    entered = client.post("/api/v1/contest_entry/", json={
        "contest": region_contest, "library": library, "title": "Работа за областта"})
    assert entered.status_code == 201, entered.get_json()
    _execute(owner_engine, "DELETE FROM contest_entry WHERE id = :i", i=entered.get_json()["id"])


def test_an_entry_cannot_follow_its_library_out_of_the_contests_reach(app, owner_engine, district_contest):
    """Changing an entry's library is checked like a new entry: a Павел баня contest
    keeps Павел баня's libraries."""
    client = login(app, "sz.director")
    own = _id(owner_engine, "SELECT l.id FROM library l JOIN tenant t ON t.id = l.tenant_id "
                            "WHERE t.name = 'Павел баня' ORDER BY l.id")
    entry = client.post("/api/v1/contest_entry/", json={
        "contest": district_contest, "library": own, "title": "Своя работа"})
    assert entry.status_code == 201, entry.get_json()
    before = snapshot(owner_engine)
    moved = _put(client, f"/api/v1/contest_entry/{entry.get_json()['id']}",
                 {"library": _maglizh_library(owner_engine)})
    assert moved.status_code == 422 and "contest" in moved.get_json()["message"], moved.get_json()
    # Nor does the contest move to another district while entries of this one are in it.
    contest = _put(client, f"/api/v1/contest/{district_contest}", {"tenant": _tenant(owner_engine, "Мъглиж")})
    assert contest.status_code == 409 and "contest entry" in contest.get_json()["message"], contest.get_json()
    assert snapshot(owner_engine) == before


# -- delete refusals -----------------------------------------------------------------

def test_a_delete_refusal_counts_only_what_the_user_can_see(app, owner_engine):
    """Мъглиж's contest, entered (in older data) by a library of Павел баня that Мъглиж
    cannot see: its director is told that other records refer to it, never how many;
    nothing is deleted. With an entry of its own, that one is counted."""
    director = login(app, "maglizh.director")
    created = director.post("/api/v1/contest/", json={"title": "Конкурс с чужим участником",
                                                      "level": "district", "year": 2025,
                                                      "tenant": _tenant(owner_engine, "Мъглиж")})
    assert created.status_code == 201, created.get_json()
    contest = created.get_json()["id"]
    foreign = _id(owner_engine, "SELECT l.id FROM library l JOIN tenant t ON t.id = l.tenant_id "
                                "WHERE t.name = 'Павел баня' ORDER BY l.id")
    _execute(owner_engine, "INSERT INTO contest_entry (tenant_id, library_id, contest_id, title) "
                           "SELECT tenant_id, id, :c, 'Старая работа' FROM library WHERE id = :l",
             c=contest, l=foreign)
    try:
        before = snapshot(owner_engine)
        answer = director.delete(f"/api/v1/contest/{contest}?_l_=en")
        assert answer.status_code == 409, answer.get_json()
        message = answer.get_json()["message"]
        assert "other records still refer to it" in message
        assert not any(c.isdigit() for c in message.replace("(2025)", "")), message  # no count
        page = director.get(f"/contestview/delete/{contest}?_l_=en", follow_redirects=True)
        assert "other records still refer to it" in page.get_data(as_text=True)
        assert snapshot(owner_engine) == before

        director.post("/api/v1/contest_entry/", json={"contest": contest, "library": _maglizh_library(owner_engine),
                                                      "title": "Своя работа"})
        message = director.delete(f"/api/v1/contest/{contest}?_l_=en").get_json()["message"]
        assert "1 contest entry" in message, message
    finally:
        _execute(owner_engine, "DELETE FROM contest_entry WHERE contest_id = :c", c=contest)
        _execute(owner_engine, "DELETE FROM contest WHERE id = :c", c=contest)


def test_the_edit_form_says_why_a_library_does_not_move(app, owner_engine):
    """The same refusal on the screen: the regional director's edit form comes back
    with the reason, and nothing is saved."""
    client = login(app, "sz.director")
    library = _library_with_dependents(owner_engine, "Мъглиж")
    stored = client.get(f"/api/v1/library/{library}").get_json()["result"]
    form = {k: ("" if v is None else v) for k, v in stored.items() if not isinstance(v, dict)}
    form["tenant"] = _tenant(owner_engine, "Павел баня")
    before = snapshot(owner_engine)
    page = client.post(f"/libraryview/edit/{library}?_l_=en", data=form, follow_redirects=True)
    assert page.status_code == 200
    text_ = page.get_data(as_text=True)
    assert "Cannot move" in text_ and "staff member" in text_, text_[:3000]
    assert snapshot(owner_engine) == before
