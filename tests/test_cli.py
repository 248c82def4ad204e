"""The operator's commands: clear errors for wrong names, roles and duplicates."""
from sqlalchemy import text

from app.demo import load
from app.extensions import db
from app.tenancy.session import unrestricted

from .conftest import login, snapshot


def run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=list(args), input=input)


def test_add_a_region_and_a_district(app, owner_engine):
    assert run(app, "tenants", "add", "Брянская область", "--kind", "region", "--code", "BRY").exit_code == 0
    result = run(app, "tenants", "add", "Трубчевский район", "--kind", "district",
                 "--parent", "Брянская область")
    assert result.exit_code == 0, result.output
    with owner_engine.connect() as conn:
        assert conn.scalar(text("SELECT p.code FROM tenant t JOIN tenant p ON p.id = t.parent_id "
                                "WHERE t.name = 'Трубчевский район'")) == "BRY"


def test_tenant_errors_are_clear_and_change_nothing(app, owner_engine):
    before = snapshot(owner_engine)
    result = run(app, "tenants", "add", "Нигдевский район", "--kind", "district", "--parent", "Нет такой")
    assert result.exit_code != 0 and "no tenant named" in result.output
    result = run(app, "tenants", "add", "Орловская область", "--kind", "region", "--code", "ORL")
    assert result.exit_code != 0 and "exists already" in result.output
    result = run(app, "tenants", "add", "Мъглиж-2", "--kind", "district", "--parent", "Мъглиж")
    assert result.exit_code != 0 and "is not a region" in result.output
    assert snapshot(owner_engine) == before


def test_add_a_user_who_can_log_in(app):
    result = run(app, "users", "add", "chirpan.viewer", "--role", "Viewer", "--tenant", "Чирпан",
                 input="Chirpan-2026-pass\nChirpan-2026-pass\n")
    assert result.exit_code == 0, result.output
    client = login(app, "chirpan.viewer", "Chirpan-2026-pass")
    assert {t["name"] for t in client.get("/api/v1/tenant/").get_json()["result"]} == \
        {"Чирпан", "Област Стара Загора"}


def test_user_errors_are_clear(app, owner_engine):
    before = snapshot(owner_engine)
    for args, message in [
        (("--role", "Boss", "--tenant", "Чирпан"), "unknown role"),
        (("--role", "Director", "--tenant", "Атлантида"), "no tenant named"),
        (("--role", "Director"), "needs --tenant or --library"),
    ]:
        result = run(app, "users", "add", "someone", *args, "--password", "Long-enough-pw")
        assert result.exit_code != 0 and message in result.output, result.output
    result = run(app, "users", "add", "zal.director", "--role", "Director", "--tenant", "Чирпан",
                 "--password", "Long-enough-pw")
    assert result.exit_code != 0 and "exists already" in result.output
    assert snapshot(owner_engine) == before


def test_demo_load_is_idempotent_and_matches_the_seeds(app, owner_engine):
    before = snapshot(owner_engine)
    with app.app_context(), unrestricted(db.session):
        load()
    assert snapshot(owner_engine) == before
    with owner_engine.connect() as conn:
        def count(sql):
            return conn.scalar(text(sql + " WHERE t.name = 'Залегощенский район'"))
        assert count("SELECT count(*) FROM library x JOIN tenant t ON t.id = x.tenant_id") == 12
        assert count("SELECT count(*) FROM staff x JOIN tenant t ON t.id = x.tenant_id") == 18
        assert count("SELECT count(*) FROM staff x JOIN tenant t ON t.id = x.tenant_id "
                     "AND x.education IN ('higher_library', 'higher_other')") == 9
        assert count("SELECT count(*) FROM club x JOIN tenant t ON t.id = x.tenant_id") == 15


def test_demo_load_leaves_a_database_with_data_alone(app, owner_engine):
    """`make run` loads the demo on every start: a record a user deleted stays deleted."""
    club = "SELECT count(*) FROM club WHERE name = 'Рукодельница'"  # one no demo event refers to
    result = run(app, "demo", "load")
    assert result.exit_code == 0 and "the demo was not loaded" in result.output, result.output
    with owner_engine.begin() as conn:
        assert conn.scalar(text(club)) == 1
        conn.execute(text("DELETE FROM club WHERE name = 'Рукодельница'"))
    before = snapshot(owner_engine)
    result = run(app, "demo", "load")
    assert result.exit_code == 0 and "the demo was not loaded" in result.output, result.output
    assert "Demo accounts" not in result.output
    assert snapshot(owner_engine) == before
    # --force tops the demo up: the deleted club comes back, and nothing is doubled.
    result = run(app, "demo", "load", "--force")
    assert result.exit_code == 0 and "Demo accounts" in result.output, result.output
    with owner_engine.connect() as conn:
        assert conn.scalar(text(club)) == 1
