"""The audit trail: every change of tenant data, accounts and roles is recorded with who,
when, where and the values before and after, in the change's own transaction; nobody
can change the trail; a user reads the trail of their own subtree only."""
import datetime
import json

import pytest
from sqlalchemy import delete, select, text, update
from flask_appbuilder.security.sqla.models import Role

from app.audit import HIDDEN, AuditEntry, AuditIsReadOnly
from app.extensions import db
from app.models import Club
from app.tenancy.session import unrestricted

from .conftest import PASSWORD, POSTGRES, login, snapshot, put_current
from .test_records import find_id


def trail(engine, table, record_id) -> list[dict]:
    """The audit rows of one record, oldest first, as the database holds them: from the
    record's latest insert on (SQLite may give a new row the id of one deleted earlier)."""
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT a.*, t.name AS tenant FROM audit_entry a LEFT JOIN tenant t ON t.id = a.tenant_id "
            "WHERE table_name = :t AND record_id = :r ORDER BY a.id"), {"t": table, "r": record_id})
        out = [dict(row._mapping) for row in rows]
    for row in out:  # JSON comes back as text from a plain SQL query on SQLite
        for key in ("before", "after"):
            if isinstance(row[key], str):
                row[key] = json.loads(row[key])
    inserts = [i for i, row in enumerate(out) if row["action"] == "insert"]
    return out[inserts[-1]:] if inserts else out


def _user_id(engine, username):
    with engine.connect() as conn:
        return conn.scalar(text("SELECT id FROM ab_user WHERE username = :u"), {"u": username})


def test_add_change_and_delete_through_the_api_are_recorded(as_user, owner_engine):
    client = as_user("zal.director")
    library = find_id(client, "library", name="Центральная детская библиотека")
    created = client.post("/api/v1/club/", json={
        "name": "Клуб аудита", "library": library, "audience": "youth", "members": 3})
    club = created.get_json()["id"]
    put_current(client, f"/api/v1/club/{club}", {"members": 7, "schedule": "по вторникам"})
    client.delete(f"/api/v1/club/{club}")

    added, changed, deleted = trail(owner_engine, "club", club)
    director = _user_id(owner_engine, "zal.director")
    for row in (added, changed, deleted):
        assert (row["user_id"], row["username"], row["tenant"]) == \
            (director, "zal.director", "Залегощенский район")
        assert row["at"] is not None
    assert added["action"] == "insert" and added["before"] is None
    assert added["after"]["name"] == "Клуб аудита" and added["after"]["members"] == 3
    assert added["after"]["audience"] == "youth" and added["after"]["library_id"] == library
    assert changed["action"] == "update"
    assert changed["before"] == {"members": 3, "schedule": None}
    assert changed["after"] == {"members": 7, "schedule": "по вторникам"}
    assert deleted["action"] == "delete" and deleted["after"] is None
    assert deleted["before"]["members"] == 7 and deleted["before"]["name"] == "Клуб аудита"


def test_a_change_by_bearer_token_names_its_user(app, owner_engine):
    client = app.test_client()
    token = client.post("/api/v1/security/login", json={
        "username": "zal.director", "password": PASSWORD, "provider": "db"}).get_json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    club = find_id(login(app, "zal.director"), "club", name="Неугасимая лампада")
    members = client.get(f"/api/v1/club/{club}", headers=auth).get_json()["result"]["members"]
    assert put_current(client, f"/api/v1/club/{club}", {"members": members + 1}, headers=auth).status_code == 200
    last = trail(owner_engine, "club", club)[-1]
    assert last["username"] == "zal.director" and last["after"] == {"members": members + 1}


def test_a_form_edit_is_recorded_with_old_and_new_values(as_user, owner_engine):
    client = as_user("zal.methodologist")
    club = find_id(client, "club", name="Волшебный очаг")
    data = client.get(f"/api/v1/club/{club}").get_json()["result"]
    form = {"name": data["name"], "library": data["library"]["id"], "audience": data["audience"],
            "members": str(data["members"] + 1), "active": "y", "founded_year": data["founded_year"]}
    assert client.post(f"/clubview/edit/{club}", data=form).status_code == 302
    last = trail(owner_engine, "club", club)[-1]
    assert last["username"] == "zal.methodologist"
    assert last["before"]["members"] == data["members"] and last["after"]["members"] == data["members"] + 1


def test_branch_staff_write_a_trail_they_cannot_read(as_user, owner_engine):
    client = as_user("zal.branch")
    library = find_id(client, "library", name="Бортновская сельская библиотека")
    phone = client.get(f"/api/v1/library/{library}").get_json()["result"]["phone"]
    assert put_current(client, f"/api/v1/library/{library}", {"phone": "+7 000"}).status_code == 200
    put_current(client, f"/api/v1/library/{library}", {"phone": phone})
    changed, restored = trail(owner_engine, "library", library)[-2:]
    assert changed["username"] == "zal.branch" and changed["after"] == {"phone": "+7 000"}
    assert restored["before"] == {"phone": "+7 000"}
    assert client.get("/auditview/list/").status_code in (302, 403)


def test_refused_changes_leave_no_trail(as_user, owner_engine):
    client = as_user("maglizh.branch")
    before = snapshot(owner_engine)
    foreign = find_id(as_user("zal.director"), "club", name="Волшебный очаг")
    assert client.put(f"/api/v1/club/{foreign}", json={"members": 1}).status_code == 404
    assert client.post("/api/v1/club/", json={"name": "x", "audience": "aliens"}).status_code == 422
    assert snapshot(owner_engine) == before


def test_accounts_and_role_links_are_recorded_without_password_hashes(app, owner_engine):
    client = login(app, "maglizh.director")
    with owner_engine.connect() as conn:
        roles = dict(conn.execute(text("SELECT name, id FROM ab_role")).all())
        library = conn.scalar(text("SELECT l.id FROM library l JOIN tenant t ON t.id = l.tenant_id "
                                   "WHERE t.name = 'Мъглиж' ORDER BY l.id"))
    account = {"username": "maglizh.audited", "first_name": "Ива", "last_name": "Колева",
               "email": "iva@example.org", "password": "Audited-2026-x", "conf_password": "Audited-2026-x",
               "active": "y", "library": library, "roles": roles["Branch staff"]}
    assert client.post("/accountview/add", data=account).status_code == 302
    user = _user_id(owner_engine, "maglizh.audited")
    edit = {k: v for k, v in account.items() if "password" not in k and k != "username"}
    assert client.post(f"/accountview/edit/{user}", data={**edit, "library": "", "roles": roles["Viewer"],
                                                          "tenant": _tenant(owner_engine, "Мъглиж")}
                       ).status_code == 302

    added, *changes = trail(owner_engine, "ab_user", user)
    assert added["tenant"] == "Мъглиж" and added["username"] == "maglizh.director"
    assert added["after"]["password"] == HIDDEN and added["after"]["roles"] == ["Branch staff"]
    # One save may flush twice (a query in between flushes what is pending): a row each time.
    before = {k: v for row in changes for k, v in row["before"].items()}
    after = {k: v for row in changes for k, v in row["after"].items()}
    assert before == {"library_id": library, "roles": ["Branch staff"]}
    assert after == {"library_id": None, "roles": ["Viewer"]}
    with owner_engine.connect() as conn:
        hash_ = conn.scalar(text("SELECT password FROM ab_user WHERE id = :i"), {"i": user})
        everything = " ".join(map(str, conn.execute(text("SELECT before, after FROM audit_entry")).all()))
    assert hash_ not in everything


def _tenant(engine, name):
    with engine.connect() as conn:
        return conn.scalar(text("SELECT id FROM tenant WHERE name = :n"), {"n": name})


def test_signing_in_is_not_a_change(app, owner_engine):
    before = snapshot(owner_engine)
    login(app, "zal.viewer")
    assert snapshot(owner_engine) == before


@pytest.fixture
def session(app):
    with app.app_context(), unrestricted(db.session):
        yield db.session
        db.session.rollback()
        db.session.remove()


def test_roles_are_recorded_with_no_tenant(session, owner_engine):
    role = Role(name="Audited role")
    session.add(role)
    session.commit()
    role.name = "Audited role, renamed"
    session.commit()
    session.delete(role)
    session.commit()
    rows = trail(owner_engine, "ab_role", role.id)
    assert [r["action"] for r in rows] == ["insert", "update", "delete"]
    assert {r["tenant_id"] for r in rows} == {None} and {r["username"] for r in rows} == {None}
    assert rows[1]["before"] == {"name": "Audited role"} and rows[1]["after"] == {"name": "Audited role, renamed"}


def test_old_values_survive_the_expiry_after_a_commit(session, owner_engine):
    club = session.scalars(select(Club).where(Club.name == "Неугасимая лампада")).one()
    old = club.partner
    session.commit()  # expires every attribute: the old value is no longer in memory
    club.partner = f"{old} и библиотека"
    session.commit()
    assert trail(owner_engine, "club", club.id)[-1]["before"] == {"partner": old}


def test_the_trail_is_written_in_the_changes_transaction(session):
    club = session.scalars(select(Club)).first()
    club.members += 1
    session.flush()
    count = session.scalar(select(db.func.count()).select_from(AuditEntry)
                           .where(AuditEntry.record_id == club.id, AuditEntry.table_name == "club"))
    session.rollback()
    after = session.scalar(select(db.func.count()).select_from(AuditEntry)
                           .where(AuditEntry.record_id == club.id, AuditEntry.table_name == "club"))
    assert count == after + 1


def test_audit_rows_cannot_be_changed_or_deleted(session):
    entry = session.scalars(select(AuditEntry)).first()
    entry.username = "someone else"
    with pytest.raises(AuditIsReadOnly):
        session.flush()
    session.rollback()
    session.delete(session.scalars(select(AuditEntry)).first())
    with pytest.raises(AuditIsReadOnly):
        session.flush()
    session.rollback()
    with pytest.raises(AuditIsReadOnly):
        session.execute(update(AuditEntry).values(username="x"))
    with pytest.raises(AuditIsReadOnly):
        session.execute(delete(AuditEntry))


@pytest.mark.skipif(not POSTGRES, reason="row-level security is PostgreSQL's")
def test_postgres_refuses_raw_changes_of_the_trail(urls):
    from sqlalchemy import create_engine

    engine = create_engine(urls[1])  # the service role, everything in view
    with engine.begin() as conn:
        conn.execute(text("SELECT set_config('app.all', 'on', true)"))
        total = conn.scalar(text("SELECT count(*) FROM audit_entry"))
        assert total > 0
        assert conn.execute(text("UPDATE audit_entry SET username = 'x'")).rowcount == 0
        assert conn.execute(text("DELETE FROM audit_entry")).rowcount == 0  # no policy allows it
    engine.dispose()


def test_the_trail_screen_has_no_add_edit_or_delete_route(app):
    methods = {rule.endpoint.split(".")[1] for rule in app.url_map.iter_rules()
               if rule.endpoint.startswith("AuditView.")}
    assert methods == {"list", "show"}


def _listed(client):
    return client.get("/auditview/list/?psize_AuditView=100&_l_=en")


def test_a_director_reads_the_trail_of_the_subtree_only(as_user, owner_engine):
    zal, maglizh = as_user("zal.director"), as_user("maglizh.director")
    library = find_id(zal, "library", name="Центральная детская библиотека")
    zal.post("/api/v1/club/", json={"name": "След Залегощи", "library": library,
                                    "audience": "youth", "members": 1})
    library = find_id(maglizh, "library", name="Библиотека при НЧ „Светлина 1899“")
    maglizh.post("/api/v1/club/", json={"name": "Следа на Мъглиж", "library": library,
                                        "audience": "youth", "members": 1})

    page = _listed(zal).get_data(as_text=True)
    assert "След Залегощи" in page and "Следа на Мъглиж" not in page
    page = _listed(maglizh).get_data(as_text=True)
    assert "Следа на Мъглиж" in page and "След Залегощи" not in page
    region = _listed(as_user("orel.director")).get_data(as_text=True)
    assert "След Залегощи" in region and "Следа на Мъглиж" not in region
    everything = _listed(as_user("admin")).get_data(as_text=True)
    assert "След Залегощи" in everything and "Следа на Мъглиж" in everything

    with owner_engine.connect() as conn:
        foreign = conn.scalar(text("SELECT max(id) FROM audit_entry WHERE tenant_id = :t"),
                              {"t": _tenant(owner_engine, "Мъглиж")})
        no_tenant = conn.scalar(text("SELECT max(id) FROM audit_entry WHERE tenant_id IS NULL"))
    assert zal.get(f"/auditview/show/{foreign}").status_code == 404
    assert zal.get(f"/auditview/show/{no_tenant}").status_code == 404  # Admins' accounts, roles
    assert as_user("admin").get(f"/auditview/show/{no_tenant}").status_code == 200

    for client, name in ((zal, "След Залегощи"), (maglizh, "Следа на Мъглиж")):  # the demo as it was
        assert client.delete(f"/api/v1/club/{find_id(client, 'club', name=name)}").status_code == 200


@pytest.mark.parametrize("username", ["zal.methodologist", "zal.viewer", "zal.branch"])
def test_other_roles_do_not_read_the_trail(as_user, username):
    response = as_user(username).get("/auditview/list/")
    assert response.status_code in (302, 403)


def test_the_trail_reads_as_people_read_their_records(as_user, owner_engine):
    """Linked records by name, dates in the user's format, times on the user's clock."""
    client = as_user("kir.director")  # Киренский район: Irkutsk, UTC+8
    library = find_id(client, "library", name="Алымовская сельская библиотека")
    created = client.post("/api/v1/outreach/", json={
        "library": library, "kind": "home_service", "location": "ул. Аудита, 1",
        "readers_served": 4, "active_since": "2019-03-15"})
    assert created.status_code == 201, created.get_json()
    entry = trail(owner_engine, "outreach", created.get_json()["id"])[-1]
    html = client.get(f"/auditview/show/{entry['id']}").get_data(as_text=True)
    assert "Алымовская сельская библиотека" in html  # not the library's id
    assert "15.03.2019" in html and "2019-03-15" not in html
    assert "Обслуживание на дому" in html  # the choice's label, not its code
    at = entry["at"] if isinstance(entry["at"], datetime.datetime) else datetime.datetime.fromisoformat(entry["at"])
    irkutsk = at + datetime.timedelta(hours=8)
    assert irkutsk.strftime("%d.%m.%Y %H:%M") in html
    assert "UTC" not in html


@pytest.mark.parametrize("lang, label", [("ru", "Методист"), ("bg", "Методист")])
def test_role_names_in_the_trail_are_in_the_users_language(as_user, owner_engine, lang, label):
    admin = as_user("admin")
    with owner_engine.connect() as conn:
        account = conn.scalar(text("SELECT id FROM ab_user WHERE username = 'zal.methodologist'"))
        entries = conn.scalars(text("SELECT id FROM audit_entry WHERE table_name = 'ab_user' "
                                    "AND record_id = :r ORDER BY id"), {"r": account}).all()
    html = admin.get(f"/auditview/show/{entries[0]}?_l_={lang}").get_data(as_text=True)
    assert label in html and "Methodologist" not in html
    assert "zal.methodologist@localhost" in html and "username_key" not in html
