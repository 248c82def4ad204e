"""The isolation matrix: every route that takes a record id, for every role, against
objects inside and outside the user's scope. A foreign object answers exactly like
a nonexistent one and leaves the database unchanged.

Generated from app.url_map and the role table: a new route or record type that the
matrix does not know fails test_every_route_is_in_the_matrix.
"""
import io
import re

import pytest
from sqlalchemy import bindparam, inspect, text

from app.imports.views import IMPORT_ROUTES
from app.records import record_types
from app.security.roles import records

from .conftest import POSTGRES, login, make_app, snapshot, put_current

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
UI_CALLS = {"show": "GET", "edit": "POST", "delete": "GET", "action": "GET", "file": "GET",
            "protocol": "GET",  # a record's file (app.attachments), a meeting's printed protocol
            "step": "POST"}  # a statistical report's workflow step (app/statistics/workflow.py)
API_CALLS = {"get": "GET", "put": "PUT", "delete": "DELETE",
             "file": "GET", "replace_file": "PUT", "remove_file": "DELETE",  # a record's file (app.attachments)
             # a statistical report's steps (app/api/stat_reports.py)
             "submit": "POST", "return_report": "POST", "approve": "POST", "reopen": "POST"}
# Endpoints without a record id: covered by the scoped-list tests below.
NO_ID = {"list", "add", "choices", "export", "action_post", "download", "get_list", "post", "info", "related",
         "api_read", "api_get", "api", "api_column_add", "api_column_edit", "api_create",
         "api_delete", "api_update", "api_readvalues", "schema",
         # The imports: a foreign row's library "not found", a foreign batch or run a 404 (tests/test_imports.py).
         *IMPORT_ROUTES, "import_file"}


def record_routes(app):
    """(record, kind, method name, rule) for each route of a record's view or API."""
    classes = {cls: record for record, pair in records().items() for cls in pair}
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
            model = record_types()[record].model  # (the accounts' screen names none: its own fields)
            columns = sorted(inspect(model).relationships.keys()) if model is not None else ("tenant", "library")
            for column in columns:  # every relation field it offers
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


# The reports (app/reports, and those of the record types) of a region or district: a foreign
# one answers like a missing one.
REPORT_CALLS = {"dashboard", "dashboard_xlsx", "passport", "report", "report_xlsx",
                "step",  # a district summary's workflow step, POSTed (app/statistics/workflow.py)
                "summary",  # the statistical summary's API (app/api/stat_reports.py)
                # a district summary's steps through that API, POSTed with what each needs
                "summary_submit", "summary_return", "summary_approve", "summary_reopen"}
SUMMARY_STEP_BODIES = {"summary_submit": {}, "summary_approve": {}, "summary_return": {"comment": "x"},
                       "summary_reopen": {"reason": "x"}}


def report_routes(app):
    owners = {"DashboardView", "StatSummaryApi", *(r.__name__ for t in record_types().values() for r in t.reports)}
    for rule in app.url_map.iter_rules():
        owner, _, method = rule.endpoint.rpartition(".")
        if owner in owners and "pk" in rule.arguments:
            yield method, rule


def test_every_report_route_is_in_the_matrix(app):
    for method, rule in report_routes(app):
        assert method in REPORT_CALLS, f"{rule.rule} ({rule.endpoint}) takes an id the matrix does not try"


@pytest.mark.parametrize("username", USERS)
def test_foreign_dashboards_and_passports_answer_like_missing_ones(matrix_app, owner_engine, username):
    client = login(matrix_app, username)
    before = snapshot(owner_engine)
    tried = 0
    for method, rule in report_routes(matrix_app):
        if method in SUMMARY_STEP_BODIES:
            def call(url, body=SUMMARY_STEP_BODIES[method]):
                return client.post(url, json=body)
        else:
            call = client.post if method == "step" else client.get
        for pk in _rows(owner_engine, "tenant", USERS[username]):
            missing = call(_url(rule, MISSING))
            foreign = call(_url(rule, pk))
            assert _page(foreign) == _page(missing), f"{username} {_url(rule, pk)}"
            tried += 1
    assert tried >= 3
    assert snapshot(owner_engine) == before  # a foreign summary takes no step


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
                "contest_entry": {"library"}, "event": {"library"}, "method_activity": {"tenant"},
                "method_publication": {"tenant"}, "meeting": {"tenant"}, "meeting_item": set()}


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


# Where the role table lets a role change only some fields of a record (FIELDS), every
# other field, the tenant keys included, stays as it is: through the API (refused, 403)
# and through the edit form (the field is not offered; a value posted anyway is not
# saved). One user of each such role, on a row it may otherwise write.
FIELD_USERS = {"Director": "maglizh.director", "Methodologist": "sz.methodologist",
               "Branch staff": "maglizh.branch"}


def _views_of(app, record):
    view, api = records()[record]
    found = {type(v).__name__: v for v in app.appbuilder.baseviews}
    return found[view], found.get(api)


def _writable_row(engine, username, record):
    """A row of `record` the user may write in part: its own node, its own library's
    row, an entry not judged yet (a judged one is frozen for branch staff)."""
    with engine.connect() as conn:
        user = conn.execute(text("SELECT tenant_id, library_id FROM ab_user WHERE username = :u"),
                            {"u": username}).first()
        if record == "tenant":
            return user.tenant_id
        if record == "library":
            where, params = ("id = :l", {"l": user.library_id}) if user.library_id else \
                ("tenant_id IN (SELECT id FROM tenant WHERE id = :t OR parent_id = :t)", {"t": user.tenant_id})
            return conn.scalar(text(f"SELECT min(id) FROM library WHERE {where}"), params)
        if record == "contest_entry":
            return conn.scalar(text("SELECT min(id) FROM contest_entry WHERE library_id = :l AND result IS NULL"),
                               {"l": user.library_id})
    raise AssertionError(f"no row for {record}")


@pytest.fixture
def open_entry(app, owner_engine):
    """An entry of maglizh.branch's library, not judged yet (the demo's are judged)."""
    client = login(app, "maglizh.branch")
    contest = client.get("/api/v1/contest/?q=(page_size:1)").get_json()["result"][0]["id"]
    library = _writable_row(owner_engine, "maglizh.branch", "library")
    response = client.post("/api/v1/contest_entry/", json={"contest": contest, "library": library,
                                                           "title": "Работа для проверки полей"})
    assert response.status_code == 201, response.get_json()
    yield response.get_json()["id"]
    with owner_engine.begin() as conn:
        conn.execute(text("DELETE FROM contest_entry WHERE id = :i"), {"i": response.get_json()["id"]})


def _form_value(value):
    if isinstance(value, dict):
        return value.get("id", "")
    if isinstance(value, bool):
        return "y" if value else ""
    return "" if value is None else value


def _other_value(client, model, name, current):
    """A value for field `name` other than `current`, that the user could otherwise
    choose: a visible row for a relation, another choice, another text, date or year."""
    from sqlalchemy import inspect as sa_inspect

    prop = sa_inspect(model).attrs[name]
    if hasattr(prop, "mapper"):  # a relation: another row the user can see
        resource = prop.mapper.class_.__tablename__
        rows = client.get(f"/api/v1/{resource}/?q=(page_size:100)").get_json()["result"]
        ids = [r["id"] for r in rows if r["id"] != (current or {}).get("id", current)]
        assert ids, f"no other {resource} to try"
        return ids[0]
    column = prop.columns[0]
    enums = getattr(column.type, "enums", None)
    if enums:
        return next(e for e in enums if e != current)
    python = column.type.python_type
    if python is int:
        return (current or 2000) - 1
    if python is bool:
        return not current
    if python.__name__ == "date":
        return "2020-02-02" if current != "2020-02-02" else "2020-03-03"
    return f"{current or ''} (changed)"[:20]


def _field_rules():
    from app.security.roles import fields_rules

    for role, rules in fields_rules().items():
        for record, permitted in rules.items():
            yield role, record, permitted


@pytest.mark.parametrize("role,record,permitted", list(_field_rules()),
                         ids=[f"{r}-{rec}" for r, rec, _ in _field_rules()])
def test_fields_a_role_may_not_change_stay_as_they_are(app, owner_engine, request, role, record, permitted):
    username = FIELD_USERS[role]
    client = login(app, username)
    view, api = _views_of(app, record)
    pk = _writable_row(owner_engine, username, record)
    if pk is None and record == "contest_entry":
        pk = request.getfixturevalue("open_entry")
    assert pk, f"{username}: no {record} to edit"
    url = f"/api/v1/{api.resource_name}/{pk}"
    tried = []
    for name in api.edit_columns:
        if name in permitted or name == "version":
            continue
        current = client.get(url).get_json()["result"].get(name)
        value = _other_value(client, api.datamodel.obj, name, current)
        before = snapshot(owner_engine)
        response = put_current(client, url, {name: value})
        assert response.status_code == 403, f"{username} changed {record}.{name}: {response.get_json()}"
        assert snapshot(owner_engine) == before, f"{username}: {record}.{name} changed"
        if name in view.edit_columns:
            stored = client.get(url).get_json()["result"]
            form = {n: _form_value(stored.get(n)) for n in view.edit_columns}
            form[name] = value
            answer = client.post(f"{view.route_base}/edit/{pk}", data=form)
            assert answer.status_code < 500
            assert client.get(url).get_json()["result"].get(name) == current, \
                f"{username} changed {record}.{name} through the form"
        tried.append(name)
    assert tried, f"{role} may change every field of {record}: drop the rule"
