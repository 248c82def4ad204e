"""What an integrator meets at /api/v1/security/: signing in and refreshing a token, the
accounts API an Admin uses, in the user's language and the one error shape; and no
other security API (roles and permissions come from app/security/roles.py)."""
import uuid

import pytest
from sqlalchemy import text

from .conftest import PASSWORD, make_app, snapshot

LOGIN, REFRESH, USERS = "/api/v1/security/login", "/api/v1/security/refresh", "/api/v1/security/users/"
RU, BG = {"Accept-Language": "ru"}, {"Accept-Language": "bg"}
FIELDS_WRONG = {"ru": "Некоторые поля заполнены неверно.", "bg": "Някои полета не са попълнени правилно.",
                "en": "Some fields are not filled in correctly."}
WRONG_LOGIN = {"ru": "Неверное имя пользователя или пароль. Попробуйте ещё раз.",
               "bg": "Грешно потребителско име или парола. Опитайте отново."}
NEW_PASSWORD = "Reading-room-lamp-7"


def error_shape(response) -> dict:
    """The one error shape: a sentence in `message`, field -> [texts] in `errors`, nothing else."""
    body = response.get_json()
    assert isinstance(body, dict) and set(body) <= {"message", "errors"}, body
    assert isinstance(body["message"], str) and body["message"], body
    for field, messages in body.get("errors", {}).items():
        assert isinstance(field, str) and messages and all(isinstance(m, str) and m for m in messages), body
    return body


def elsewhere():
    """An address of this test's own: its failed logins count against no other test."""
    n = uuid.uuid4().int
    return {"environ_base": {"REMOTE_ADDR": f"10.{n % 250}.{n // 250 % 250}.{n // 62500 % 250 + 1}"}}


def sign_in(client, username="admin", password=PASSWORD, headers=None, **body):
    return client.post(LOGIN, json={"username": username, "password": password, **body},
                       headers=headers or {}, **elsewhere())


@pytest.fixture(scope="module")
def gate(urls):
    """The service, for the sign-ins meant to fail: an app of its own, so that they count
    against no account or address the other tests sign in with (app/security/limits.py)."""
    return make_app(urls)


@pytest.fixture(scope="module")
def admin(app):
    """Admin's bearer token, as an integrator holds it."""
    token = sign_in(app.test_client()).get_json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def ids(owner_engine):
    with owner_engine.connect() as conn:
        role = {name: pk for pk, name in conn.execute(text("SELECT id, name FROM ab_role"))}
        district = conn.scalar(text("SELECT id FROM tenant WHERE name = 'Мъглиж'"))
        library = conn.scalar(text("SELECT id FROM library WHERE tenant_id = :t ORDER BY id"), {"t": district})
        me = conn.scalar(text("SELECT id FROM ab_user WHERE username = 'admin'"))
    return {"role": role, "district": district, "library": library, "admin": me}


def new_account(ids, **changes):
    name = f"api.{uuid.uuid4().hex[:8]}"
    return {"username": name, "first_name": "Мария", "last_name": "Петрова", "email": f"{name}@example.org",
            "roles": [ids["role"]["Viewer"]], "tenant": ids["district"], "password": NEW_PASSWORD, **changes}


# -- signing in -------------------------------------------------------------------

def test_a_login_gives_an_access_token_and_a_refresh_token_when_asked(app):
    client = app.test_client()
    answer = sign_in(client, "zal.director")
    assert answer.status_code == 200 and set(answer.get_json()) == {"access_token"}
    answer = sign_in(client, "zal.director", refresh=True, provider="db")
    assert answer.status_code == 200 and set(answer.get_json()) == {"access_token", "refresh_token"}
    bearer = {"Authorization": f"Bearer {answer.get_json()['access_token']}"}
    assert client.get("/api/v1/club/", headers=bearer).status_code == 200


@pytest.mark.parametrize("language", ["ru", "bg"])
def test_a_wrong_password_or_unknown_user_is_a_401_in_the_users_language(gate, language):
    client = gate.test_client()
    known = {"ru": "zal.methodologist", "bg": "maglizh.director"}[language]  # a real account, a wrong password
    for username, password in ((known, "Not-the-password-1"), ("nobody.here", PASSWORD)):
        answer = sign_in(client, username, password, headers={"Accept-Language": language})
        assert answer.status_code == 401
        assert error_shape(answer) == {"message": WRONG_LOGIN[language]}
        assert answer.headers["WWW-Authenticate"] == "Bearer"


SOMEONE = "someone"  # a name of its own at each attempt: each counts against no other


@pytest.mark.parametrize("body, field, ru, bg", [
    ({"username": SOMEONE}, "password", "Введите пароль.", "Въведете паролата."),
    ({"password": PASSWORD}, "username", "Введите имя пользователя.", "Въведете потребителско име."),
    ({"username": 7, "password": PASSWORD}, "username", "Введите текст.", "Въведете текст."),
    ({"username": SOMEONE, "password": ["x"]}, "password", "Введите текст.", "Въведете текст."),
    ({"username": SOMEONE, "password": PASSWORD, "refresh": "yes"}, "refresh",
     "Укажите true или false.", "Посочете true или false."),
    ({"username": SOMEONE, "password": PASSWORD, "refresh": 1}, "refresh",
     "Укажите true или false.", "Посочете true или false."),
    ({"username": SOMEONE, "password": PASSWORD, "provider": "ldap"}, "provider",
     "Недопустимое значение.", "Невалиден избор."),
    ({"username": SOMEONE, "password": PASSWORD, "remember": True}, "remember",
     "Неизвестное поле.", "Непознато поле."),
    ({"username": "", "password": PASSWORD}, "username",
     "Это поле не может быть пустым.", "Това поле не може да бъде празно."),
])
def test_a_login_body_that_is_not_as_documented_is_a_400_naming_the_field(gate, body, field, ru, bg):
    client = gate.test_client()
    for headers, language, message in ((RU, "ru", ru), (BG, "bg", bg)):
        sent = {**body, "username": f"nobody.{uuid.uuid4().hex[:8]}"} if body.get("username") == SOMEONE else body
        answer = client.post(LOGIN, json=sent, headers=headers, **elsewhere())
        assert answer.status_code == 400
        assert error_shape(answer) == {"message": FIELDS_WRONG[language], "errors": {field: [message]}}


def test_a_login_that_is_not_json_is_a_400(gate):
    client = gate.test_client()
    answer = client.post(LOGIN, data={"username": "zal.director", "password": PASSWORD}, headers=RU,
                         **elsewhere())
    assert answer.status_code == 400
    assert error_shape(answer) == {"message": "Отправьте имя пользователя и пароль в виде объекта JSON."}
    answer = client.post(LOGIN, data="username=zal.director", content_type="text/plain", headers=BG,
                         **elsewhere())
    assert answer.status_code == 400
    assert error_shape(answer) == {"message": "Изпратете потребителското име и паролата като JSON обект."}


def test_a_locked_account_answers_429_until_the_minute_is_over(urls):
    """The login limits (app/security/limits.py): the eleventh failure is refused, and so
    is the right password after it, in the user's language and the one shape."""
    client = make_app(urls).test_client()
    here = {"REMOTE_ADDR": "10.251.0.1"}
    for _ in range(10):
        answer = client.post(LOGIN, json={"username": "zal.viewer", "password": "Not-the-password-1"},
                             environ_base=here)
        assert answer.status_code == 401
    for headers, message in ((RU, "Слишком много запросов: подождите минуту и повторите."),
                             (BG, "Твърде много заявки: изчакайте минута и опитайте отново.")):
        answer = client.post(LOGIN, json={"username": "zal.viewer", "password": PASSWORD},
                             headers=headers, environ_base=here)
        assert answer.status_code == 429 and int(answer.headers["Retry-After"]) > 0
        assert error_shape(answer) == {"message": message}


# -- refreshing ---------------------------------------------------------------------

def test_a_refresh_token_gives_a_new_access_token(app):
    client = app.test_client()
    tokens = sign_in(client, "zal.director", refresh=True).get_json()
    answer = client.post(REFRESH, headers={"Authorization": f"Bearer {tokens['refresh_token']}"})
    assert answer.status_code == 200 and set(answer.get_json()) == {"access_token"}
    bearer = {"Authorization": f"Bearer {answer.get_json()['access_token']}"}
    assert client.get("/api/v1/club/", headers=bearer).status_code == 200


@pytest.mark.parametrize("language, message", [
    ("ru", "Войдите снова: токен обновления не передан, истёк или больше не действует."),
    ("bg", "Влезте отново: токенът за подновяване липсва, изтекъл е или вече не е валиден.")])
def test_a_refresh_without_a_valid_refresh_token_is_a_401(app, language, message):
    client = app.test_client()
    access = sign_in(client, "zal.director").get_json()["access_token"]
    for authorization in (None, "Bearer abc", "Bearer a.b.c", f"Bearer {access}", "Basic eDp5"):
        headers = {"Accept-Language": language, **({"Authorization": authorization} if authorization else {})}
        answer = client.post(REFRESH, headers=headers)
        assert answer.status_code == 401, authorization
        assert error_shape(answer) == {"message": message}
        assert answer.headers["WWW-Authenticate"] == "Bearer"


# -- the accounts API ---------------------------------------------------------------

@pytest.mark.parametrize("change, field, message", [
    ({"username": 7}, "username", "Въведете текст."),
    ({"username": "   "}, "username", "Това поле не може да бъде празно."),
    ({"first_name": "x" * 65}, "first_name", "Въведете най-много 64 знака."),
    ({"active": "yes"}, "active", "Посочете true или false."),
    ({"active": 1}, "active", "Посочете true или false."),
    ({"roles": 6}, "roles", "Изпратете ролите като списък с техните идентификатори."),
    ({"roles": []}, "roles", "Изберете поне една роля."),
    ({"roles": ["6"]}, "roles.0", "Въведете цяло число."),
    ({"roles": [1.5]}, "roles.0", "Въведете цяло число."),
    ({"roles": [True]}, "roles.0", "Въведете цяло число."),
    ({"roles": [999999]}, "roles", "Няма такава роля."),
    ({"tenant": "12"}, "tenant", "Въведете цяло число."),
    ({"tenant": 999999}, "tenant", "Няма такъв запис."),
    ({"tenant": None}, "tenant", "Свържете потребителя с област, община или библиотека."),
    ({"library": 12.0}, "library", "Въведете цяло число."),
    ({"password": "qwertyuiop"}, "password",
     "Тази парола е сред най-разпространените: изберете друга."),
    ({"groups": [1]}, "groups", "Непознато поле."),
    ({"login_count": 3}, "login_count", "Непознато поле."),
])
def test_the_accounts_api_takes_each_field_as_strictly_as_the_form(app, admin, ids, owner_engine,
                                                                    change, field, message):
    before = snapshot(owner_engine), accounts(owner_engine)
    answer = app.test_client().post(USERS, json=new_account(ids, **change), headers={**admin, **BG})
    assert answer.status_code == 422, answer.get_json()
    assert error_shape(answer) == {"message": FIELDS_WRONG["bg"], "errors": {field: [message]}}
    assert (snapshot(owner_engine), accounts(owner_engine)) == before


def accounts(owner_engine):
    with owner_engine.connect() as conn:
        return sorted(conn.execute(text("SELECT username, email, password, active FROM ab_user")).all())


def test_an_account_needs_every_required_field_and_a_role_that_can_be_given(app, admin, ids):
    client = app.test_client()
    answer = client.post(USERS, json={}, headers={**admin, **RU})
    assert answer.status_code == 422
    assert error_shape(answer)["errors"] == {
        name: ["Это поле обязательно."]
        for name in ("username", "first_name", "last_name", "email", "roles", "password")}
    for roles, field in (([ids["role"]["Public"]], "roles"), ([ids["role"]["Branch staff"]], "library")):
        answer = client.post(USERS, json=new_account(ids, roles=roles), headers={**admin, **RU})
        assert answer.status_code == 422 and field in error_shape(answer)["errors"]
    for body in ([new_account(ids)], "x"):  # not a JSON object: the body cannot be read
        answer = client.post(USERS, json=body, headers=admin)
        assert answer.status_code == 400 and "errors" not in error_shape(answer)
    answer = client.post(USERS, data=new_account(ids), headers={**admin, **RU})
    assert answer.status_code == 400
    assert error_shape(answer) == {"message": "Отправьте учётную запись в виде объекта JSON."}


def test_an_account_is_answered_as_get_shows_it_and_never_with_its_password(app, admin, ids):
    client = app.test_client()
    sent = new_account(ids, roles=[ids["role"]["Branch staff"]], tenant=None, library=ids["library"])
    created = client.post(USERS, json=sent, headers=admin)
    assert created.status_code == 201, created.get_json()
    pk, result = created.get_json()["id"], created.get_json()["result"]
    try:
        shown = client.get(f"{USERS}{pk}", headers=admin).get_json()["result"]
        assert result == shown
        assert shown["tenant"]["id"] == ids["district"]  # the library's, as on the screen
        assert shown["library"]["id"] == ids["library"]
        assert shown["roles"] == [{"id": ids["role"]["Branch staff"], "name": "Branch staff"}]
        assert shown["active"] is True
        changed = client.put(f"{USERS}{pk}", json={"first_name": "Анна", "password": "Another-lamp-8"},
                             headers=admin)
        assert changed.status_code == 200 and changed.get_json()["result"]["first_name"] == "Анна"
        listed = client.get(USERS, query_string={"q": "(page_size:100)"}, headers=admin)
        for answer in (created, changed, listed, client.get(f"{USERS}{pk}", headers=admin)):
            body = answer.get_data(as_text=True)
            assert NEW_PASSWORD not in body and "Another-lamp-8" not in body and '"password"' not in body
            assert "scrypt" not in body and "pbkdf2" not in body
        assert sign_in(client, sent["username"], "Another-lamp-8").status_code == 200
        unchanged = client.put(f"{USERS}{pk}", json={}, headers=admin)
        assert unchanged.status_code == 200 and unchanged.get_json()["result"]["first_name"] == "Анна"
    finally:
        assert client.delete(f"{USERS}{pk}", headers=admin).status_code == 200


def test_a_disabled_account_cannot_sign_in(app, gate, admin, ids):
    client = app.test_client()
    sent = new_account(ids, active=False)
    pk = client.post(USERS, json=sent, headers=admin).get_json()["id"]
    try:
        answer = sign_in(gate.test_client(), sent["username"], NEW_PASSWORD, headers=RU)
        assert answer.status_code == 401 and error_shape(answer) == {"message": WRONG_LOGIN["ru"]}
    finally:
        client.delete(f"{USERS}{pk}", headers=admin)


@pytest.mark.parametrize("pk", ["999999", "abc", "99999999999999999999", "0"])
def test_a_missing_account_is_a_404(app, admin, pk):
    client = app.test_client()
    for method in ("get", "put", "delete"):
        kwargs = {"json": {"first_name": "X"}} if method == "put" else {}
        answer = getattr(client, method)(f"{USERS}{pk}", headers={**admin, **BG}, **kwargs)
        assert answer.status_code == 404, (method, pk)
        assert error_shape(answer)["message"].startswith("Не е намерено")


def test_admin_cannot_delete_their_own_account(app, admin, ids, owner_engine):
    answer = app.test_client().delete(f"{USERS}{ids['admin']}", headers={**admin, **RU})
    assert answer.status_code == 422
    assert error_shape(answer) == {"message": "Нельзя удалить свою учётную запись."}
    with owner_engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM ab_user WHERE id = :i"), {"i": ids["admin"]}) == 1


def test_the_accounts_api_speaks_the_screens_words(app, admin):
    client = app.test_client()
    listed = client.get(USERS, headers={**admin, **BG}).get_json()
    assert listed["list_title"] == "Потребителски профили"
    assert listed["label_columns"]["username"] == "Потребителско име"
    assert listed["label_columns"]["tenant.name"] == "Организация"
    info = client.get(f"{USERS}_info", headers={**admin, **RU}).get_json()
    assert info["add_title"] == "Новая учётная запись"
    fields = {field["name"]: field for field in info["add_columns"]}
    assert set(fields) == {"username", "first_name", "last_name", "email", "active", "roles", "tenant",
                           "library", "password"}
    assert all(field["description"] == "" or "Project-Id-Version" not in field["description"]
               for field in fields.values())
    assert {"Администратор", "Директор", "Наблюдатель"} <= {v["value"] for v in fields["roles"]["values"]}


def test_only_admin_uses_the_accounts_api(as_user):
    director = as_user("zal.director")
    assert director.get(USERS).status_code in (401, 403)
    assert director.post(USERS, json={"username": "x"}).status_code in (401, 403)


# -- what is served, and the document -----------------------------------------------

REMOVED = ["/api/v1/security/roles/", "/api/v1/security/roles/1", "/api/v1/security/roles/_info",
           "/api/v1/security/roles/1/permissions/", "/api/v1/security/permissions/",
           "/api/v1/security/resources/", "/api/v1/security/permissions-resources/",
           "/api/v1/security/groups/", "/api/v1/security/groups/1", "/api/v1/menu/"]


def test_the_role_permission_resource_group_and_menu_apis_are_not_served(app, admin, owner_engine):
    client, before = app.test_client(), snapshot(owner_engine)
    for url in REMOVED:
        for method in ("get", "post", "put", "delete"):
            answer = getattr(client, method)(url, headers=admin, json={"name": "Boss"})
            assert answer.status_code in (404, 405), (method, url)
            assert error_shape(answer)
        assert client.get(url, headers=admin).status_code == 404, url
    assert snapshot(owner_engine) == before
    paths = client.get("/api/v1/_openapi", headers=admin).get_json()["paths"]
    assert not [p for p in paths if p.startswith(tuple(u.rstrip("1/").rstrip("/") for u in REMOVED))]
    assert {LOGIN, REFRESH, USERS, f"{USERS}{{pk}}"} <= set(paths)


def _walk(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def resolve(spec, node):
    """`node` with its $ref followed (within the document)."""
    while isinstance(node, dict) and "$ref" in node:
        target = spec
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def test_the_document_says_what_login_and_refresh_answer(app, admin):
    spec = app.test_client().get("/api/v1/_openapi", headers=admin).get_json()
    login = spec["paths"][LOGIN]["post"]
    assert not login.get("security")  # no token needed
    body = resolve(spec, login["requestBody"]["content"]["application/json"]["schema"])
    assert body["required"] == ["username", "password"] and body["additionalProperties"] is False
    assert body["properties"]["provider"]["enum"] == ["db"]
    assert body["properties"]["refresh"]["type"] == "boolean"
    assert {"200", "400", "401", "429"} <= set(login["responses"])
    assert not [code for code in login["responses"] if code.startswith("5")]
    ok = resolve(spec, login["responses"]["200"]["content"]["application/json"]["schema"])
    assert ok["required"] == ["access_token"] and set(ok["properties"]) == {"access_token", "refresh_token"}
    refresh = spec["paths"][REFRESH]["post"]
    assert refresh["security"] == [{"jwt_refresh": []}]
    assert {"200", "401"} <= set(refresh["responses"]) and "500" not in refresh["responses"]
    for operation in (login, refresh):
        for code, response in operation["responses"].items():
            if code.startswith("4"):
                schema = resolve(spec, resolve(spec, response)["content"]["application/json"]["schema"])
                assert resolve(spec, schema["properties"]["message"])["type"] == "string", (code, schema)


def test_the_document_types_the_accounts_bodies_as_they_are_taken(app, admin):
    spec = app.test_client().get("/api/v1/_openapi", headers=admin).get_json()
    post = resolve(spec, spec["paths"][USERS]["post"]["requestBody"]["content"]["application/json"]["schema"])
    put = resolve(spec, spec["paths"][f"{USERS}{{pk}}"]["put"]["requestBody"]["content"]["application/json"]["schema"])
    for schema in (post, put):
        props = schema["properties"]
        assert schema["additionalProperties"] is False
        assert props["roles"]["type"] == "array" and props["roles"]["items"]["type"] == "integer"
        assert props["tenant"]["type"] == props["library"]["type"] == "integer"
        assert props["tenant"]["nullable"] and props["library"]["nullable"]
        assert props["active"]["type"] == "boolean"
        assert props["password"]["writeOnly"] and props["password"]["minLength"] == 10
        assert props["username"]["maxLength"] == 128 and props["first_name"]["maxLength"] == 64
        assert "groups" not in props
    assert set(post["required"]) == {"username", "first_name", "last_name", "email", "roles", "password"}
    assert "required" not in put  # a PUT changes what it sends
    shown = resolve(spec, spec["paths"][f"{USERS}{{pk}}"]["get"]["responses"]["200"]["content"]
                    ["application/json"]["schema"]["properties"]["result"])
    assert "password" not in shown["properties"]
    assert shown["properties"]["roles"]["type"] == "array"
    assert set(shown["required"]) == set(shown["properties"])
    for operation in ("post", "put"):
        path = USERS if operation == "post" else f"{USERS}{{pk}}"
        answered = spec["paths"][path][operation]["responses"]["201" if operation == "post" else "200"]
        result = answered["content"]["application/json"]["schema"]["properties"]["result"]
        assert resolve(spec, result) == shown
    for path, operations in spec["paths"].items():
        if path.startswith("/api/v1/security/"):
            assert not [n for n in _walk(operations) if n.get("schema") == {}], path
            assert not [n for n in _walk(operations) if n.get("type") == "object" and not n.get("properties")
                        and "additionalProperties" not in n and "$ref" not in n], path
