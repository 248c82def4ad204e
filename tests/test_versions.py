"""No lost updates: an edit that started from an older version of a record is refused
with the current values, on the screens and in the API, and overwrites nothing."""
import re

import pytest
from sqlalchemy import select, text

from app.extensions import db
from app.models import Club
from app.tenancy.session import tenant_classes, unrestricted
from app.validation import RecordInterface
from app.versions import Stale

from .conftest import put_current, snapshot
from .test_records import find_id


def _club(client, name):
    return find_id(client, "club", name=name)


def _form(client, club):
    """The edit form's fields as the browser would send them back, version included."""
    page = client.get(f"/clubview/edit/{club}").get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"', page)
    assert version, "the edit form carries no version"
    data = client.get(f"/api/v1/club/{club}").get_json()["result"]
    return {"name": data["name"], "library": data["library"]["id"], "audience": data["audience"],
            "members": str(data["members"]), "active": "y" if data["active"] else "",
            "version": version.group(1) or version.group(2)}


def test_every_editable_record_is_versioned():
    for cls in tenant_classes():
        assert cls.__mapper__.version_id_col is cls.__table__.c.version, cls.__name__


def test_the_second_of_two_form_saves_from_one_version_is_refused(as_user, owner_engine):
    first, second = as_user("zal.director"), as_user("zal.methodologist")
    club = _club(first, "Волшебный очаг")
    mine, theirs = _form(first, club), _form(second, club)
    assert first.post(f"/clubview/edit/{club}", data={**mine, "members": "30"}).status_code == 302
    before = snapshot(owner_engine)

    response = second.post(f"/clubview/edit/{club}?_l_=en", data={**theirs, "members": "5",
                                                                   "schedule": "по пятницам"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200  # the form again, not a redirect
    assert "changed this record while you were editing" in page
    assert "Saved meanwhile: 30" in page  # the stored value, on its field
    assert 'value="5"' in page and "по пятницам" in page  # the user's input is kept
    assert snapshot(owner_engine) == before  # nothing overwritten, no audit row either

    # The form now carries the current version: saving again replaces it, knowingly.
    current = re.search(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"', page)
    again = {**theirs, "members": "5", "version": current.group(1) or current.group(2)}
    assert second.post(f"/clubview/edit/{club}", data=again).status_code == 302
    assert second.get(f"/api/v1/club/{club}").get_json()["result"]["members"] == 5


def test_the_refusal_speaks_the_users_language(as_user):
    client = as_user("zal.director")
    club = _club(client, "Волшебный очаг")
    stale = {**_form(client, club), "version": "0"}
    page = client.post(f"/clubview/edit/{club}?_l_=ru", data=stale).get_data(as_text=True)
    assert "Кто-то другой изменил эту запись" in page
    page = client.post(f"/clubview/edit/{club}?_l_=bg", data=stale).get_data(as_text=True)
    assert "Някой друг е променил този запис" in page


def test_a_stale_put_gets_409_with_the_current_values(as_user, owner_engine):
    first, second = as_user("zal.director"), as_user("zal.methodologist")
    club = _club(first, "Неугасимая лампада")
    stored = first.get(f"/api/v1/club/{club}").get_json()["result"]
    version, members = stored["version"], stored["members"] + 10
    saved = first.put(f"/api/v1/club/{club}", json={"members": members, "version": version})
    assert saved.status_code == 200 and saved.get_json()["result"]["version"] == version + 1
    before = snapshot(owner_engine)

    response = second.put(f"/api/v1/club/{club}", json={"members": 2, "version": version})
    assert response.status_code == 409
    body = response.get_json()
    assert body["result"]["members"] == members and body["result"]["version"] == version + 1
    assert isinstance(body["message"], str) and body["message"]
    assert snapshot(owner_engine) == before


def test_a_put_without_a_version_gets_428_and_changes_nothing(as_user, owner_engine):
    client = as_user("zal.director")
    club = _club(client, "Неугасимая лампада")
    before = snapshot(owner_engine)
    response = client.put(f"/api/v1/club/{club}?_l_=ru", json={"schedule": "по средам"})
    assert response.status_code == 428
    assert "версию" in response.get_json()["message"]
    assert snapshot(owner_engine) == before


def test_every_answer_with_a_record_carries_its_version_as_etag(as_user):
    client = as_user("zal.director")
    library = find_id(client, "library", name="Центральная детская библиотека")
    created = client.post("/api/v1/club/", json={"name": "Клуб с версией", "library": library,
                                                 "audience": "youth", "members": 3})
    assert created.status_code == 201
    body = created.get_json()
    assert body["result"]["version"] == 1 and created.headers["ETag"] == '"1"'
    assert body["result"]["library"] == {"id": library, "name": "Центральная детская библиотека"}
    shown = client.get(f"/api/v1/club/{body['id']}")
    assert shown.headers["ETag"] == '"1"'
    assert {k: v for k, v in shown.get_json()["result"].items()} == body["result"]

    # The ETag sent back in If-Match is the version the edit starts from.
    edited = client.put(f"/api/v1/club/{body['id']}", json={"members": 4},
                        headers={"If-Match": created.headers["ETag"]})
    assert edited.status_code == 200 and edited.headers["ETag"] == '"2"'
    assert edited.get_json()["result"]["members"] == 4
    assert edited.get_json()["result"]["library"]["id"] == library  # as GET shows it
    stale = client.put(f"/api/v1/club/{body['id']}", json={"members": 9},
                       headers={"If-Match": '"1"'})
    assert stale.status_code == 409 and stale.get_json()["result"]["members"] == 4
    assert stale.headers["ETag"] == '"2"'
    both = client.put(f"/api/v1/club/{body['id']}", json={"members": 9, "version": 2},
                      headers={"If-Match": '"1"'})
    assert both.status_code == 409  # one of the two is not the stored version
    assert client.put(f"/api/v1/club/{body['id']}", json={"members": 9},
                      headers={"If-Match": "вчера"}).status_code == 400

    # A delete with If-Match deletes only that version.
    assert client.delete(f"/api/v1/club/{body['id']}", headers={"If-Match": '"1"'}).status_code == 409
    assert client.delete(f"/api/v1/club/{body['id']}", headers={"If-Match": '"2"'}).status_code == 200
    assert client.get(f"/api/v1/club/{body['id']}").status_code == 404


def test_if_match_star_replaces_whatever_is_stored(as_user):
    client = as_user("zal.director")
    club = _club(client, "Неугасимая лампада")
    version = client.get(f"/api/v1/club/{club}").get_json()["result"]["version"]
    response = client.put(f"/api/v1/club/{club}", json={"schedule": "по четвергам"},
                          headers={"If-Match": "*"})
    assert response.status_code == 200 and response.get_json()["result"]["version"] == version + 1


def test_the_openapi_document_tells_when_version_counts(as_user):
    spec = as_user("zal.director").get("/api/v1/_openapi").get_json()
    put = spec["paths"]["/api/v1/club/{pk}"]["put"]
    assert {"409", "428"} <= set(put["responses"]) and "version" in put["description"]
    assert "ETag" in put["responses"]["200"]["headers"]
    assert not spec["components"]["schemas"]["ClubApi.put"].get("required")


@pytest.mark.parametrize("body", [[], "x", 5, None])
def test_a_put_of_something_other_than_an_object_gets_400(as_user, owner_engine, body):
    client = as_user("zal.director")
    club = _club(client, "Неугасимая лампада")
    before = snapshot(owner_engine)
    response = client.put(f"/api/v1/club/{club}", json=body)
    assert response.status_code == 400
    assert snapshot(owner_engine) == before


def test_the_database_refuses_a_save_over_a_version_it_no_longer_has(app, owner_engine):
    """Between the comparison and the save, another save may still slip in: the UPDATE
    names the version it read, matches no row, and the edit is Stale."""
    with app.app_context(), unrestricted(db.session):
        club = db.session.scalars(select(Club).where(Club.name == "Волшебный очаг")).one()
        with owner_engine.begin() as conn:
            conn.execute(text("UPDATE club SET version = version + 1 WHERE id = :id"), {"id": club.id})
        club.members += 1
        with pytest.raises(Stale):
            RecordInterface(Club).edit(club)
        db.session.remove()


def test_a_stale_answer_keeps_a_record_whose_text_reads_like_a_database_error(as_user):
    """Only an answer's own message is checked for database text, not the record it carries."""
    client = as_user("zal.director")
    club = _club(client, "Истоки")
    stored = client.get(f"/api/v1/club/{club}").get_json()["result"]
    text = "Тема вечера: UNIQUE constraint failed"
    client.put(f"/api/v1/club/{club}", json={"description": text, "version": stored["version"]})
    stale = client.put(f"/api/v1/club/{club}", json={"members": 1, "version": stored["version"]})
    assert stale.status_code == 409 and stale.get_json()["result"]["description"] == text


def test_a_role_that_may_change_some_fields_still_saves_from_the_version_it_read(as_user, owner_engine):
    """Branch staff may change a library's contacts only; their form's version is still
    the one they read, so a save over the director's meanwhile is refused, not merged."""
    director, branch = as_user("zal.director"), as_user("zal.branch")
    library = find_id(branch, "library", name="Бортновская сельская библиотека")
    page = branch.get(f"/libraryview/edit/{library}").get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"', page)
    stored = director.get(f"/api/v1/library/{library}").get_json()["result"]
    assert put_current(director, f"/api/v1/library/{library}", {"phone": "+7 (48648) 2-11-11"}).status_code == 200
    before = snapshot(owner_engine)
    response = branch.post(f"/libraryview/edit/{library}?_l_=en", data={
        "address": stored["address"] or "", "phone": "+7 (48648) 2-22-22", "email": stored["email"] or "",
        "website": stored["website"] or "", "working_hours": stored["working_hours"] or "",
        "version": version.group(1) or version.group(2)})
    assert response.status_code == 200 and "changed this record while you were editing" in response.get_data(as_text=True)
    assert snapshot(owner_engine) == before
    assert put_current(director, f"/api/v1/library/{library}", {"phone": stored["phone"]}).status_code == 200
