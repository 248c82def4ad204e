"""The isolation matrix: every route that takes a record id, for every role, against
objects inside and outside the user's scope. A foreign object answers exactly like
a nonexistent one and leaves the database unchanged.

Generated from app.url_map and the role table: a new route or record type that the
matrix does not know fails test_every_route_is_in_the_matrix.
"""
import io
import re

import pytest
from sqlalchemy import bindparam, text

from app.security.roles import RECORDS

from .conftest import POSTGRES, login, make_app, snapshot

MISSING = 10**7

# One user per role and level, with tenants that lie outside their scope.
USERS = {
    "maglizh.director": ["Павел баня", "Залегощенский район"],       # sibling district, another region
    "maglizh.branch": ["Павел баня", "Залегощенский район"],
    "sz.methodologist": ["Залегощенский район"],                      # another region
    "orel.director": ["Мъглиж", "Чирпан"],
    "zal.viewer": ["Мъглиж"],
}

# Endpoint names (FAB's view methods) that take a record id, with how to call them.
UI_CALLS = {"show": "GET", "edit": "POST", "delete": "GET", "action": "GET"}
API_CALLS = {"get": "GET", "put": "PUT", "delete": "DELETE"}
# Endpoints without a record id: covered by the scoped-list tests below.
NO_ID = {"list", "add", "choices", "export", "action_post", "download", "get_list", "post", "info", "related",
         "api_read", "api_get", "api", "api_column_add", "api_column_edit", "api_create",
         "api_delete", "api_update", "api_readvalues", "schema"}


def record_routes(app):
    """(record, kind, method name, rule) for each route of a record's view or API."""
    classes = {cls: record for record, pair in RECORDS.items() for cls in pair}
    for rule in app.url_map.iter_rules():
        owner, _, method = rule.endpoint.rpartition(".")
        if owner in classes:
            yield classes[owner], "api" if owner.endswith("Api") else "ui", method, rule


def test_every_route_is_in_the_matrix(app):
    for record, kind, method, rule in record_routes(app):
        known = (UI_CALLS if kind == "ui" else API_CALLS)
        if "pk" in rule.arguments:
            assert method in known, f"{rule.rule} ({rule.endpoint}) takes an id the matrix does not try"
        else:
            assert method in NO_ID, f"{rule.rule} ({rule.endpoint}) is not covered"


def _rows(engine, record, tenant_names, column=None):
    """Ids of a record type's rows that belong to the named tenants."""
    table = {"user": "ab_user", "audit": "audit_entry"}.get(record, record)
    column = column or ("id" if table == "tenant" else "tenant_id")
    query = text(f"SELECT t.id FROM {table} t JOIN tenant n ON n.id = t.{column} "
                 "WHERE n.name IN :names ORDER BY t.id").bindparams(bindparam("names", expanding=True))
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(query, {"names": tenant_names})]


def _names(engine, table, column, tenant_names):
    query = text(f"SELECT t.{column} FROM {table} t JOIN tenant n ON n.id = t.tenant_id "
                 "WHERE n.name IN :names").bindparams(bindparam("names", expanding=True))
    with engine.connect() as conn:
        return {r[0] for r in conn.execute(query, {"names": tenant_names})}


def _url(rule, pk):
    args = {"pk": pk, "name": "muldelete", "filename": "x"}
    return rule.rule.replace("<pk>", str(pk)).replace("<int:pk>", str(pk)) \
        .replace("<string:name>", args["name"])


def _call(client, method, url):
    if method == "PUT":
        return client.put(url, json={})
    return client.open(url, method=method, data={} if method == "POST" else None)


def _answer(response):
    body = response.get_json(silent=True)
    return response.status_code, body


@pytest.fixture(scope="module", params=[True, False] if POSTGRES else [True],
                ids=["orm+rls" if POSTGRES else "orm", "rls-alone"][: 2 if POSTGRES else 1])
def matrix_app(request, urls):
    """The service as usual and, on PostgreSQL, with the ORM layer off: RLS alone."""
    return make_app(urls, TENANCY_ORM_LAYER=request.param)


@pytest.mark.parametrize("username", USERS)
def test_foreign_records_answer_like_missing_ones(matrix_app, owner_engine, username):
    client = login(matrix_app, username)
    routes = [r for r in record_routes(matrix_app) if "pk" in r[3].arguments]
    before = snapshot(owner_engine)
    tried = 0
    for record, kind, method, rule in routes:
        http = (UI_CALLS if kind == "ui" else API_CALLS)[method]
        for pk in _rows(owner_engine, record, USERS[username])[:3]:
            missing = _answer(_call(client, http, _url(rule, MISSING)))
            foreign = _answer(_call(client, http, _url(rule, pk)))
            assert foreign == missing, f"{username} {http} {_url(rule, pk)}: {foreign} != {missing}"
            tried += 1
    assert tried > 50
    assert snapshot(owner_engine) == before


def _foreign_names(engine, username):
    """Names of foreign libraries and clubs that no visible row shares."""
    foreign = USERS[username]
    with engine.connect() as conn:
        everyone = [r[0] for r in conn.execute(text("SELECT name FROM tenant"))]
    visible = [n for n in everyone if n not in foreign]
    names = set()
    for table in ("library", "club"):
        names |= _names(engine, table, "name", foreign) - _names(engine, table, "name", visible)
    assert names
    return names


def _shows_none(page, names):
    shown = [n for n in names if n in page]
    assert not shown, f"foreign rows shown: {shown[:5]}"


@pytest.mark.parametrize("username", USERS)
def test_lists_filters_and_prefill_show_no_foreign_row(matrix_app, owner_engine, username):
    client = login(matrix_app, username)
    names = _foreign_names(owner_engine, username)
    library = _rows(owner_engine, "library", USERS[username])[0]
    tenant = _rows(owner_engine, "tenant", USERS[username])[0]
    for record, kind, method, rule in record_routes(matrix_app):
        if kind == "ui" and method in ("list", "add"):
            for flt in (f"_flt_0_library={library}", f"_flt_0_tenant={tenant}", ""):
                response = client.get(f"{rule.rule}?{flt}&psize_{rule.endpoint.split('.')[0]}=100")
                _shows_none(response.get_data(as_text=True), names)
        if kind == "ui" and method == "export":  # what the list shows, every page, as a file
            for flt in (f"_flt_0_library={library}", f"_flt_0_tenant={tenant}", ""):
                for fmt in ("csv", "xlsx"):
                    response = client.get(f"{rule.rule.replace('<fmt>', fmt)}?{flt}")
                    _shows_none(_export_text(response), names)
        if kind == "ui" and method == "choices":
            for column in ("tenant", "library", "parent", "contest"):
                for form in (0, 1):
                    _shows_none(_all_choices(client, rule.rule.replace("<column>", column), form), names)
        if kind == "api" and method in ("get_list", "info"):
            for col, value in (("library", library), ("tenant", tenant)):
                query = f"?q=(filters:!((col:{col},opr:rel_o_m,value:{value})),page_size:100)"
                response = client.get(rule.rule + query)
                _shows_none(response.get_data(as_text=True), names)
                if method == "get_list" and response.status_code == 200:
                    assert response.get_json()["count"] == 0 or col not in RECORDS_WITH[record]
            _shows_none(client.get(rule.rule + "?q=(page_size:100)").get_data(as_text=True), names)


def _export_text(response):
    """An export's cells as text (an XLSX file is a zip: its cells are read back)."""
    if not response.mimetype.endswith("spreadsheetml.sheet"):
        return response.get_data(as_text=True)
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(response.get_data()), read_only=True)
    return "\n".join(str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                     for v in row if v is not None)


# The reports (app/reports) of a region or district: a foreign one answers like a missing one.
REPORT_CALLS = {"dashboard", "dashboard_xlsx", "passport"}


def report_routes(app):
    for rule in app.url_map.iter_rules():
        owner, _, method = rule.endpoint.rpartition(".")
        if owner == "DashboardView" and "pk" in rule.arguments:
            yield method, rule


def test_every_report_route_is_in_the_matrix(app):
    for method, rule in report_routes(app):
        assert method in REPORT_CALLS, f"{rule.rule} ({rule.endpoint}) takes an id the matrix does not try"


@pytest.mark.parametrize("username", USERS)
def test_foreign_dashboards_and_passports_answer_like_missing_ones(matrix_app, owner_engine, username):
    client = login(matrix_app, username)
    tried = 0
    for method, rule in report_routes(matrix_app):
        for pk in _rows(owner_engine, "tenant", USERS[username]):
            missing = client.get(_url(rule, MISSING))
            foreign = client.get(_url(rule, pk))
            assert _page(foreign) == _page(missing), f"{username} {_url(rule, pk)}"
            tried += 1
    assert tried >= 3


def _page(response):
    """A response as its reader gets it, less the nonce that differs on every page."""
    return response.status_code, re.sub(r'nonce="[^"]*"', "", response.get_data(as_text=True))


def _all_choices(client, url, form):
    """Every row a relation field offers, page after page."""
    texts, page = [], 1
    while page < 100:
        response = client.get(f"{url}?form={form}&page={page}")
        if response.status_code != 200:
            return ""
        data = response.get_json()
        texts += [row["text"] for row in data["results"]]
        if not data["more"]:
            break
        page += 1
    return "\n".join(texts)


RECORDS_WITH = {"tenant": set(), "library": {"tenant"}, "contest": {"tenant"},
                "staff": {"library"}, "club": {"library"}, "outreach": {"library"},
                "contest_entry": {"library"}}


@pytest.mark.parametrize("username", USERS)
def test_relation_fields_refuse_foreign_ids_like_unknown_ones(matrix_app, owner_engine, username):
    client = login(matrix_app, username)
    foreign_library = _rows(owner_engine, "library", USERS[username])[0]
    before = snapshot(owner_engine)
    for resource in ("club", "outreach", "staff", "contest_entry"):
        body = {"name": "Чужой клуб", "title": "Чужая работа", "full_name": "Чужой Сотрудник",
                "position": "Библиотекарь", "education": "other", "location": "Чужое место",
                "kind": "lending_point", "audience": "youth", "members": 1}
        answers = []
        for library in (foreign_library, MISSING):
            payload = {k: v for k, v in body.items() if k in _post_columns(client, resource)}
            payload["library"] = library
            answers.append(_answer(client.post(f"/api/v1/{resource}/", json=payload)))
        assert answers[0] == answers[1], f"{username} POST {resource}: {answers}"
        ui = [client.post(f"/{resource.replace('_', '')}view/add",
                          data={"library": library, "name": "Чужой клуб", "audience": "youth",
                                "members": "1"}).status_code
              for library in (foreign_library, MISSING)]
        assert ui[0] == ui[1]
    assert snapshot(owner_engine) == before


def _post_columns(client, resource):
    info = client.get(f"/api/v1/{resource}/_info?q=(keys:!(add_columns))").get_json() or {}
    return {c["name"] for c in info.get("add_columns", [])} or {"name", "audience", "members"}


# Users inside their own scope: what the role table grants them, and no more.
OWN = {
    "maglizh.director": "Мъглиж", "maglizh.branch": "Мъглиж", "sz.methodologist": "Мъглиж",
    "orel.director": "Залегощенский район", "zal.viewer": "Залегощенский район",
}


def _role(engine, username):
    with engine.connect() as conn:
        return conn.scalar(text("SELECT r.name FROM ab_role r JOIN ab_user_role ur ON ur.role_id = r.id "
                                "JOIN ab_user u ON u.id = ur.user_id WHERE u.username = :u"),
                           {"u": username})


@pytest.mark.parametrize("username", USERS)
def test_own_records_are_readable_exactly_as_the_role_table_says(matrix_app, owner_engine, username):
    from app.security.roles import may

    client, role = login(matrix_app, username), _role(owner_engine, username)
    for record, kind, method, rule in record_routes(matrix_app):
        if (kind, method) not in (("ui", "show"), ("api", "get")):
            continue
        rows = _rows(owner_engine, record, [OWN[username]])
        if record == "staff" and role == "Branch staff":  # personal data: their own library only
            continue
        for pk in rows[:2]:
            status = client.get(_url(rule, pk)).status_code
            if may(role, record, "r"):
                assert status == 200, f"{username} ({role}) cannot read {record} {pk}"
            else:
                assert status in (302, 401, 403), f"{username} ({role}) reads {record} {pk}"


def test_branch_staff_see_only_their_own_librarys_staff(matrix_app, owner_engine):
    client = login(matrix_app, "maglizh.branch")
    ids = {row["id"] for row in client.get("/api/v1/staff/?q=(page_size:100)").get_json()["result"]}
    with owner_engine.connect() as conn:
        own = {r[0] for r in conn.execute(text(
            "SELECT s.id FROM staff s JOIN ab_user u ON u.library_id = s.library_id "
            "WHERE u.username = 'maglizh.branch'"))}
    assert ids == own and own


@pytest.mark.parametrize("username", USERS)
def test_bulk_actions_on_foreign_ids_answer_like_missing_ones(matrix_app, owner_engine, username):
    client = login(matrix_app, username)
    before = snapshot(owner_engine)
    for record, kind, method, rule in record_routes(matrix_app):
        if method != "action_post":
            continue
        foreign = _rows(owner_engine, record, USERS[username])[:2]
        answers = [client.post(rule.rule, data={"action": "muldelete", "rowid": ids}).status_code
                   for ids in (foreign, [MISSING])]
        assert answers[0] == answers[1], f"{username} {rule.rule}: {answers}"
    assert snapshot(owner_engine) == before
