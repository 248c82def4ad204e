"""Crafted input gets a 400-class answer, never a 5xx, and changes nothing.

The requests are generated from the app itself, so a new screen or API is covered
without being listed here: every CRUD screen of `appbuilder.baseviews` (its list's
page, page size, order and every filter of every search column, its add and edit
forms' fields, its relation fields' choices), every REST API (its `q`: pages, order,
every operation of every filter column; every JSON field of its add and edit schemas)
and every GET route of `app.url_map` with crafted path arguments and query values.
Then a few targeted checks of what a user reads: the size limits and their messages.
"""
import json
import re
from contextlib import contextmanager

import pytest
from flask import url_for
from flask_appbuilder import ModelRestApi, ModelView
from marshmallow.fields import String
from sqlalchemy import inspect, text

from app.requests import MANY
from app.validation import TEXT_LENGTH

from .conftest import PASSWORD, login, make_app, snapshot

BIG = 2**66  # past any integer column and past SQLite's 64 bits
LONG = "9" * 5000  # past what int() reads from a text (4,300 digits)
NUMBERS = [str(BIG), "²", "", "n", LONG]  # what a URL's number, choice or yes/no could be
TEXTS = [str(BIG), "²", "NaN", "-Infinity", "x" * (TEXT_LENGTH + 1), "\x00", "-1"]  # form fields
JSON_VALUES = [BIG, "²", float("nan"), float("inf"), "\ud800", "x" * (TEXT_LENGTH + 1), True,
               [1], {"id": 1}, -1, "2^66"]
FILTER_VALUES = [BIG, "²", True, "0.5"]  # refused or not by the column's type
LIST_FILTER_VALUES = [[BIG, "x", 0.5], "x"]  # for the operations that take a list
ANY_FILTER_VALUES = ["\ud800", -BIG * BIG, {"a": 1}, "x\x00", float("nan")]  # refused whatever the column


def _views(app, kind):
    return [view for view in app.appbuilder.baseviews if isinstance(view, kind)]


def _has(app, endpoint):
    return endpoint in app.view_functions


def _urls(app, *endpoints_and_args):
    with app.test_request_context():
        return [url_for(endpoint, **args) for endpoint, args in endpoints_and_args]


@pytest.fixture(scope="module")
def admin(app):
    return login(app, "admin")


@pytest.fixture(scope="module")
def unchanged(app, owner_engine):
    """Fails the test if the database changed (accounts counted: their last login moves)."""
    @contextmanager
    def check():
        def state():
            with owner_engine.connect() as conn:
                return snapshot(owner_engine), conn.execute(text("SELECT count(*) FROM ab_user")).scalar()
        before = state()
        yield
        after = state()
        changed = [t for t in before[0] if before[0][t] != after[0].get(t)]
        assert after == before, f"a crafted request changed the database: {changed}, accounts {before[1]} -> {after[1]}"
    return check


def _answers(client, method, url, **kwargs):
    try:
        response = client.open(url, method=method, **kwargs)
        response.get_data()  # an export streams: read it whole, as a browser would
    except Exception as error:  # TESTING re-raises: a 5xx elsewhere
        raise AssertionError(f"{method} {url[:200]} {str(kwargs)[:300]}: {error!r}"[:2000]) from error
    assert response.status_code < 500, f"{method} {url[:200]} {str(kwargs)[:300]}: {response.status_code}"
    return response


def _client_error(response, what):
    assert 400 <= response.status_code < 500, f"{what}: {response.status_code}"
    if response.is_json:
        assert isinstance(response.get_json().get("message"), (str, dict)), what


# -- screens -------------------------------------------------------------------------


def test_list_parameters_of_every_screen(app, admin, unchanged):
    """page_, psize_ and _oc_ of every list and export: a clear 400, never a 5xx."""
    views = [v for v in _views(app, ModelView) if _has(app, f"{type(v).__name__}.list")]
    assert len(views) >= 9
    with unchanged():
        for view in views:
            name = type(view).__name__
            urls = _urls(app, (f"{name}.list", {}))
            if _has(app, f"{name}.export"):
                urls += _urls(app, (f"{name}.export", {"fmt": "csv"}), (f"{name}.export", {"fmt": "xlsx"}))
            for url in urls:
                listing = url == urls[0]
                for value in ("abc", str(BIG), "²", "-1", "101", LONG):
                    for param in (f"page_{name}", f"psize_{name}"):
                        if param.startswith("page_") and value == "101":
                            continue  # a page past the last is an empty page
                        _client_error(_answers(admin, "GET", url, query_string={param: value}), url)
                response = _answers(admin, "GET", url, query_string={
                    f"_oc_{name}": "no_such_column", f"_od_{name}": "asc"})
                _client_error(response, url)
                if listing:  # every column it offers does sort (the exports read the same)
                    for column in view.order_columns:
                        response = _answers(admin, "GET", url, query_string={
                            f"_oc_{name}": column, f"_od_{name}": "desc"})
                        assert response.status_code == 200, (url, column)


def test_every_filter_of_every_screen(app, admin, unchanged):
    """Each filter operation of each search column, with values no column holds."""
    views = [v for v in _views(app, ModelView) if _has(app, f"{type(v).__name__}.list")]
    with unchanged():
        for view in views:
            name = type(view).__name__
            url, export = _urls(app, (f"{name}.list", {}), (f"{name}.list", {}))
            if _has(app, f"{name}.export"):
                export = _urls(app, (f"{name}.export", {"fmt": "csv"}))[0]
            for column, filters in view._filters.get_search_filters().items():
                for value in NUMBERS:  # every operation of the column at once, one value
                    _answers(admin, "GET", url, query_string={
                        f"psize_{name}": 1, **{f"_flt_{i}_{column}": value for i in range(len(filters))}})
                _answers(admin, "GET", export, query_string={f"_flt_0_{column}": str(BIG)})
                _answers(admin, "GET", url, query_string={f"psize_{name}": 1, f"_flt_9_{column}": "1"})  # no such filter
            _client_error(_answers(admin, "GET", url, query_string={f"_flt_0_{column}": "x\x00"}), url)


def _first_id(owner_engine, model):
    with owner_engine.connect() as conn:
        return conn.execute(text(f'SELECT min(id) FROM "{model.__tablename__}"')).scalar()


def _form_fields(view, columns):
    return [*columns, *(getattr(view, "add_form_extra_fields", None) or {})]


def _takes_any_short_text(datamodel, columns) -> bool:
    """Are text fields all a form or body needs (FAB's role and group screens)? Then
    "²" is a valid name, and would be saved."""
    return all(datamodel.is_string(c) for c in columns if c in datamodel.list_columns
               and not datamodel.is_nullable(c))


def test_every_form_field_of_every_screen(app, admin, owner_engine, unchanged):
    """Every add and edit form, each field at once given a value it cannot hold."""
    views = [v for v in _views(app, ModelView) if _has(app, f"{type(v).__name__}.add")
             or _has(app, f"{type(v).__name__}.edit")]
    assert len(views) >= 8
    with unchanged():
        for view in views:
            name = type(view).__name__
            targets = []
            if _has(app, f"{name}.add"):
                targets.append((_urls(app, (f"{name}.add", {}))[0], view.add_columns))
            pk = _first_id(owner_engine, view.datamodel.obj)
            if _has(app, f"{name}.edit") and pk is not None:
                targets.append((_urls(app, (f"{name}.edit", {"pk": pk}))[0], view.edit_columns))
            for url, columns in targets:
                texts_only = _takes_any_short_text(view.datamodel, columns)
                for value in TEXTS:
                    if texts_only and len(value) < 50 and "\x00" not in value:
                        continue
                    _answers(admin, "POST", url, data={f: value for f in _form_fields(view, columns)})


def test_every_relation_choice_list(app, admin, unchanged):
    """/<view>/choices/<column>: a crafted page or search is a 400, not a 500."""
    with unchanged():
        for view in _views(app, ModelView):
            name = type(view).__name__
            if not _has(app, f"{name}.choices"):
                continue
            relations = inspect(view.datamodel.obj).relationships.keys()
            columns = {c for c in [*view.add_columns, *view.search_columns] if c in relations}
            for column in columns:
                url = _urls(app, (f"{name}.choices", {"column": column}))[0]
                for page in (str(BIG), "²", "abc", "0", "-1", LONG):
                    _client_error(_answers(admin, "GET", url, query_string={"page": page}), url)
                _answers(admin, "GET", url, query_string={"q": "x\x00"})
                _answers(admin, "GET", url, query_string={"q": "\ufffd" * 200, "form": "1"})


def test_every_route_with_crafted_arguments(app, admin, unchanged):
    """Every GET route of the url map, its path arguments crafted, and every route with
    crafted common query values (a year, a page, a search)."""
    skip = re.compile(r"logout|static|swagger|openapi|_openapi|lang")
    rules = [r for r in app.url_map.iter_rules() if "GET" in r.methods and not skip.search(r.endpoint + r.rule)]
    assert len(rules) >= 50
    with unchanged():
        for rule in rules:
            if rule.arguments:
                for value in (str(BIG), "²", LONG):
                    path = re.sub(r"<[^>]+>", value, rule.rule)
                    _answers(admin, "GET", path)
            else:
                for value in (str(BIG), "x\x00"):
                    _answers(admin, "GET", rule.rule, query_string={"year": value, "page": value, "q": value})


def test_dashboard_year_past_any_column(admin):
    for url in ("/dashboard/", "/dashboard/xlsx"):
        response = admin.get(url, query_string={"year": str(BIG), "_l_": "ru"})
        assert response.status_code == 400
        assert "Выберите отчётный год" in response.get_data(as_text=True)


# -- REST APIs -----------------------------------------------------------------------


def _apis(app):
    apis = [api for api in _views(app, ModelRestApi) if api.resource_name]
    assert len(apis) >= 7
    return apis


def _q(value) -> dict:
    if isinstance(value, dict) and "filters" in value:
        value = {**value, "page_size": 1}  # the filter is what is tried, not the page
    return {"q": json.dumps(value)}  # JSON: it carries \ud800 escaped, as a client could send it


def test_every_api_query(app, admin, unchanged):
    """Pages, order and each filter operation of each column of every API's `q`."""
    with unchanged():
        for api in _apis(app):
            base = f"/api/v1/{api.resource_name}/"
            for q in ({"page": BIG}, {"page_size": BIG}, {"page": -1}, {"page_size": "abc"},
                      {"order_column": "no_such_column", "order_direction": "asc"},
                      {"order_direction": "sideways"}, [1, 2], {"filters": {"col": "x"}},
                      {"filters": [{"col": "name"}]}, {"filters": [1]}):
                for url in (base, f"{base}_info"):
                    _answers(admin, "GET", url, query_string=_q(q))
                _client_error(admin.get(base, query_string=_q(q)), f"{base} {q}")
            for raw in ("(page:", "(" * 5000, "!(" * 100 + ")" * 100, "%ED%A0%80"):
                _client_error(_answers(admin, "GET", base, query_string={"q": raw}), f"{base} {raw[:20]}")
            columns = api._filters.get_search_filters()
            for value in ANY_FILTER_VALUES:
                for column in list(columns)[:1]:
                    query = {"filters": [{"col": column, "opr": columns[column][0].arg_name, "value": value}]}
                    _client_error(_answers(admin, "GET", base, query_string=_q(query)), f"{base} {query}")
            for column, filters in columns.items():
                # every operation of the column at once (those taking a list, and the others)
                for group, values in (([f for f in filters if f.arg_name in MANY], LIST_FILTER_VALUES),
                                      ([f for f in filters if f.arg_name not in MANY], FILTER_VALUES)):
                    for value in values if group else ():
                        query = {"filters": [{"col": column, "opr": f.arg_name, "value": value} for f in group]}
                        _answers(admin, "GET", base, query_string=_q(query))


def _bodies(api, columns):
    # A schema of text fields only (FAB's role and permission APIs) takes any short text:
    # "²" would be a new role's name, or an existing one's new name.
    texts_only = all(isinstance(f, String) for f in api.add_model_schema.fields.values() if f.required)
    for value in JSON_VALUES:
        if not (texts_only and isinstance(value, str) and len(value) < 50):
            yield json.dumps({c: value for c in columns})
    yield "[" * 100_000 + "]" * 100_000  # nesting
    yield json.dumps({"name": {"a": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}})
    yield "[]"
    yield "1"
    yield "NaN"
    yield '{"name": "x"'
    yield b'{"name": "\xed\xa0\x80"}'  # a surrogate in UTF-8 bytes: not UTF-8


def test_every_api_json_field(app, admin, owner_engine, unchanged):
    """POST and PUT to every API, each field given a value it cannot hold, and bodies
    that are not JSON objects at all."""
    with unchanged():
        for api in _apis(app):
            base = f"/api/v1/{api.resource_name}/"
            pk = _first_id(owner_engine, api.datamodel.obj)
            targets = [("POST", base, api.add_columns), ("PUT", f"{base}{pk}", api.edit_columns)]
            for method, url, columns in targets:
                for body in _bodies(api, columns):
                    response = _answers(admin, method, url, data=body, content_type="application/json")
                    _client_error(response, f"{method} {url}")


def test_oversized_bodies_are_refused(admin, unchanged):
    body = json.dumps({"name": "x" * (2 * 1024 * 1024)})
    with unchanged():
        response = admin.post("/api/v1/club/?_l_=ru", data=body, content_type="application/json")
        assert response.status_code == 413
        assert response.get_json()["message"] == "Запрос слишком велик."
        response = admin.post("/clubview/add?_l_=ru", data={"name": "x" * (2 * 1024 * 1024)})
        assert response.status_code == 413
        assert "Запрос слишком велик." in response.get_data(as_text=True)


# -- sign-in, before anyone is signed in ---------------------------------------------


def test_crafted_sign_in(urls, unchanged):
    """The form and the API, each on an app of its own (failed logins count toward the
    limits of the address, which the other tests share)."""
    app = make_app(urls)
    client = app.test_client()
    with unchanged():
        for body in (b'{"username": "\\ud800", "password": "x", "provider": "db"}',
                     b'{"username": "\xed\xa0\x80", "password": "x", "provider": "db"}',
                     b'{"username": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
                     b'{"username": NaN, "password": "x", "provider": "db"}', b"[]"):
            response = _answers(client, "POST", "/api/v1/security/login", data=body,
                                content_type="application/json")
            _client_error(response, body[:40])
        for body, kind in ((b"username=%ED%A0%80&password=x", "application/x-www-form-urlencoded"),
                           (b'--b\r\nContent-Disposition: form-data; name="username"\r\n\r\n\xed\xa0\x80'
                            b'\r\n--b--\r\n', "multipart/form-data; boundary=b")):
            _answers(client, "POST", "/login/", data=body, content_type=kind)
    assert login(app, "admin", PASSWORD)  # and the real one still signs in


# -- what a user reads ---------------------------------------------------------------


def test_a_list_page_holds_at_most_a_hundred_rows(as_user):
    client = as_user("zal.director")
    response = client.get("/clubview/list/?psize_ClubView=100000&_l_=ru")
    assert response.status_code == 400
    assert "На странице может быть от 1 до 100 строк." in response.get_data(as_text=True)
    assert client.get("/clubview/list/?psize_ClubView=100").status_code == 200
    answer = client.get("/api/v1/club/?q=(page_size:100000)").get_json()
    assert len(answer["result"]) <= 100  # FAB's cap, the same number


def test_text_is_refused_past_its_column_length_by_form_and_api(as_user, owner_engine):
    from .test_records import find_id

    client = as_user("zal.director")
    library = find_id(client, "library", name="Центральная детская библиотека")
    club = {"name": "Клуб длинных описаний", "library": library, "audience": "children", "members": 3}
    before = snapshot(owner_engine)
    page = client.post("/clubview/add?_l_=ru", data={**club, "description": "я" * (TEXT_LENGTH + 1)})
    assert page.status_code == 200
    assert f"не должно содержать более {TEXT_LENGTH} символов" in page.get_data(as_text=True)
    assert f'maxlength="{TEXT_LENGTH}"' in page.get_data(as_text=True)  # the browser stops there
    answer = client.post("/api/v1/club/?_l_=ru", json={**club, "description": "я" * (TEXT_LENGTH + 1)})
    assert answer.status_code == 422
    assert answer.get_json()["errors"]["description"] == [f"Введите не более {TEXT_LENGTH} символов."]
    answer = client.post("/api/v1/club/?_l_=ru", json={**club, "name": "я" * 256})  # String(255)
    assert answer.status_code == 422
    assert answer.get_json()["errors"]["name"] == ["Введите не более 255 символов."]
    assert snapshot(owner_engine) == before


def test_a_rate_that_is_not_a_number_is_refused_by_form_and_api(as_user, owner_engine):
    from .test_records import find_id

    client = as_user("zal.director")
    library = find_id(client, "library", name="Центральная детская библиотека")
    staff = {"full_name": "Проверка Ставки", "position": "Библиотекарь", "library": library,
             "education": "higher_library"}
    before = snapshot(owner_engine)
    for rate in ("NaN", "Infinity", "sNaN"):
        page = client.post("/staffview/add?_l_=ru", data={**staff, "employment_rate": rate})
        assert page.status_code == 200 and "Введите число" in page.get_data(as_text=True)
        answer = client.post("/api/v1/staff/?_l_=ru", json={**staff, "employment_rate": rate})
        assert answer.status_code == 422
        assert answer.get_json()["errors"]["employment_rate"] == ["Введите число."]
    answer = client.post("/api/v1/staff/?_l_=ru", data='{"employment_rate": NaN}', content_type="application/json")
    assert answer.status_code == 400
    assert answer.get_json()["message"] == "Тело запроса — не корректный JSON."
    assert snapshot(owner_engine) == before


def test_crafted_relation_ids_and_choice_pages(as_user, owner_engine):
    client = as_user("zal.director")
    before = snapshot(owner_engine)
    for library in ("²", str(BIG)):
        page = client.post("/clubview/add?_l_=ru", data={"name": "Клуб", "library": library,
                                                          "audience": "children", "members": "1"})
        assert page.status_code == 200 and "alert-danger" in page.get_data(as_text=True)  # the field's error
        answer = client.get(f"/clubview/choices/library?page={library}&_l_=ru")
        assert answer.status_code == 400
        assert answer.get_json()["message"] == "Недопустимый номер страницы."
    assert snapshot(owner_engine) == before


def test_a_deep_or_undecodable_body_is_refused_before_sign_in(urls):
    client = make_app(urls).test_client()
    answer = client.post("/api/v1/security/login?_l_=ru", data="[" * 100_000 + "]" * 100_000,
                         content_type="application/json")
    assert answer.status_code == 400
    assert answer.get_json()["message"] == "В запросе слишком глубокая вложенность."
    answer = client.post("/api/v1/security/login?_l_=bg", content_type="application/json",
                         data='{"username": "\\ud800", "password": "x", "provider": "db"}')
    assert answer.status_code == 400
    assert answer.get_json()["message"] == "Заявката съдържа текст, който не е валиден Уникод."
