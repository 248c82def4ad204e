"""A record list as an integrator pages, sorts and filters it with plain query
parameters (page, page_size, order_by, order_direction, a filter per column), signed in
with a bearer token; and every wrong parameter refused by name (app/api/query.py)."""
import pytest
from sqlalchemy import text

from tests.conftest import PASSWORD, record_apis

ERRORS_RU = "Проверьте параметры запроса."
ERRORS_BG = "Проверете параметрите на заявката."
RECORD_LISTS = record_apis()


class Integrator:
    """A client of the REST API, signed in through /api/v1/security/login."""

    def __init__(self, app, username):
        self.client = app.test_client()
        answer = self.client.post("/api/v1/security/login", json={
            "username": username, "password": PASSWORD, "provider": "db"})
        assert answer.status_code == 200, answer.get_data(as_text=True)
        self.headers = {"Authorization": f"Bearer {answer.get_json()['access_token']}"}

    def get(self, resource, query=None, **params):
        url = f"/api/v1/{resource}/" + (f"?{query}" if query else "")
        return self.client.get(url, query_string=params or None, headers=self.headers)

    def list(self, resource, query=None, **params):
        answer = self.get(resource, query, **params)
        assert answer.status_code == 200, answer.get_data(as_text=True)
        return answer.get_json()

    def everything(self, resource, **params):
        found = self.list(resource, page_size=100, **params)
        assert found["count"] == len(found["result"]) < 100  # the demo district's: one page
        return found["result"]


@pytest.fixture(scope="module")
def director(app):
    return Integrator(app, "zal.director")


@pytest.fixture(scope="module")
def bulgarian(app):
    return Integrator(app, "sz.director")


@pytest.fixture(scope="module")
def library_with_clubs(director):
    """The library of the district with the most clubs, and its clubs as the whole list
    sorted by name shows them."""
    clubs = director.everything("club", order_by="name")
    counts = {}
    for club in clubs:
        counts[club["library"]["id"]] = counts.get(club["library"]["id"], 0) + 1
    library = max(counts, key=counts.get)
    names = [club["name"] for club in clubs if club["library"]["id"] == library]
    assert len(names) >= 3
    return library, names


def test_page_two_of_a_librarys_clubs_sorted_by_name_is_that_slice_of_the_whole_list(
        director, library_with_clubs):
    library, names = library_with_clubs
    second = director.list("club", library=library, order_by="name", page=2, page_size=2)
    assert [club["name"] for club in second["result"]] == names[2:4]
    assert second["count"] == len(names)  # all the matching rows, not the page's
    first = director.list("club", library=library, order_by="name", page=1, page_size=2)
    assert [club["name"] for club in first["result"]] == names[:2]
    backwards = director.list("club", library=library, order_by="name", order_direction="desc")
    assert [club["name"] for club in backwards["result"]] == names[::-1]


def test_without_page_or_page_size_the_list_is_the_first_twenty_rows_as_before(director):
    whole = director.everything("club")
    plain = director.list("club")
    assert plain["count"] == len(whole) > 2
    assert plain["ids"] == [club["id"] for club in whole][:20]
    assert director.list("club", page_size=2)["ids"] == plain["ids"][:2]
    assert director.list("club", page=2, page_size=2)["ids"] == plain["ids"][2:4]


@pytest.mark.parametrize("typed, found", [
    ("ОЧАГ", ["Волшебный очаг"]), ("Очаг", ["Волшебный очаг"]),
    ("семьей", ["Читаем всей семьёй"]), ("СЕМЬЁЙ", ["Читаем всей семьёй"]),
])
def test_contains_ignores_case_and_yo(director, typed, found):
    answer = director.list("club", name__contains=typed)
    assert [club["name"] for club in answer["result"]] == found
    assert answer["count"] == 1


def test_equal_text_is_the_whole_text_whatever_its_case(director):
    assert [c["name"] for c in director.list("club", name="волшебный ОЧАГ")["result"]] == ["Волшебный очаг"]
    assert director.list("club", name="волшебный")["count"] == 0


def _value(row, column):
    value = row[column]
    return value["id"] if isinstance(value, dict) else value


OPERATORS = {
    "": lambda value, given: value is not None and value == given,
    "__ne": lambda value, given: value != given,  # an unset value included
    "__gte": lambda value, given: value is not None and value >= given,
    "__lte": lambda value, given: value is not None and value <= given,
}


@pytest.mark.parametrize("resource, column, operators", [
    ("club", "members", ("", "__ne", "__gte", "__lte")),
    ("club", "founded_year", ("", "__ne", "__gte", "__lte")),
    ("club", "audience", ("", "__ne")),
    ("club", "library", ("", "__ne")),
    ("staff", "hired_on", ("", "__ne", "__gte", "__lte")),  # ISO dates compare as text
    ("staff", "employment_rate", ("", "__ne", "__gte", "__lte")),
    ("staff", "education", ("", "__ne")),
    ("contest_entry", "result", ("", "__ne")),  # entries not judged yet: not equal to any result
    ("contest_entry", "submitted_on", ("", "__ne", "__gte", "__lte")),
])
def test_each_operator_selects_what_it_says(director, resource, column, operators):
    whole = director.everything(resource)
    values = sorted({_value(row, column) for row in whole} - {None})
    assert len(values) >= 3
    given = values[len(values) // 2]  # neither the least nor the most: each operator leaves rows out
    for operator in operators:
        expected = sorted(row["id"] for row in whole if OPERATORS[operator](_value(row, column), given))
        answer = director.list(resource, page_size=100, **{column + operator: str(given)})
        assert sorted(answer["ids"]) == expected, f"{column}{operator}={given}"
        assert 0 < answer["count"] == len(expected) < len(whole)


@pytest.fixture
def closed_club(director, library_with_clubs):
    """A club that no longer meets, for as long as the test runs."""
    answer = director.client.post("/api/v1/club/", headers=director.headers, json={
        "name": "Клуб, который больше не собирается", "library": library_with_clubs[0],
        "audience": "adults", "members": 3, "active": False})
    assert answer.status_code == 201, answer.get_data(as_text=True)
    yield answer.get_json()["id"]
    assert director.client.delete(f"/api/v1/club/{answer.get_json()['id']}",
                                  headers=director.headers).status_code == 200


def test_active_true_or_false(director, closed_club):
    whole = director.everything("club")
    assert director.list("club", active="false")["ids"] == [closed_club]
    active = director.list("club", active="true", page_size=100)
    assert closed_club not in active["ids"] and active["count"] == len(whole) - 1


def test_filters_combine_with_each_other_and_with_the_page(director, library_with_clubs):
    library, names = library_with_clubs
    whole = director.everything("club", order_by="members", order_direction="desc")
    least = sorted(club["members"] for club in whole if club["library"]["id"] == library)[1]
    expected = [club["id"] for club in whole if club["library"]["id"] == library and club["members"] >= least]
    answer = director.list("club", library=library, members__gte=least, order_by="members",
                           order_direction="desc", page_size=1, page=2)
    assert answer["count"] == len(expected) >= 2 and answer["ids"] == expected[1:2]


@pytest.fixture(scope="module")
def foreign_and_missing(owner_engine):
    """Ids of rows of another organisation (that exist) and ids no row has."""
    with owner_engine.connect() as conn:
        district = conn.execute(text("SELECT id, parent_id FROM tenant WHERE code = 'ORL-ZAL'")).one()
        return {
            "library": (conn.scalar(text("SELECT min(id) FROM library WHERE tenant_id <> :t"), {"t": district.id}),
                        conn.scalar(text("SELECT max(id) + 1000 FROM library"))),
            "parent": (conn.scalar(text("SELECT min(id) FROM tenant WHERE parent_id IS NULL AND id <> :r"),
                                   {"r": district.parent_id}),
                       conn.scalar(text("SELECT max(id) + 1000 FROM tenant"))),
            "region": district.parent_id,
        }


@pytest.mark.parametrize("resource, parameter", [
    ("club", "library"), ("staff", "library"), ("outreach", "library"), ("contest_entry", "library"),
    ("tenant", "parent"),  # a region has no parent: neither id may find the regions
])
def test_a_foreign_id_finds_nothing_exactly_like_a_missing_one(director, foreign_and_missing,
                                                              resource, parameter):
    foreign, missing = foreign_and_missing[parameter]
    answers = [director.get(resource, **{parameter: id_}) for id_ in (foreign, missing)]
    assert [a.status_code for a in answers] == [200, 200]
    assert answers[0].get_json() == answers[1].get_json()
    assert answers[0].get_json()["count"] == 0 and answers[0].get_json()["result"] == []
    excluded = [director.get(resource, **{f"{parameter}__ne": id_}).get_json() for id_ in (foreign, missing)]
    assert excluded[0] == excluded[1] and excluded[0]["count"] == director.list(resource)["count"] > 0


def test_a_regions_own_id_finds_its_districts(director, foreign_and_missing):
    districts = director.list("tenant", parent=foreign_and_missing["region"])["result"]
    assert [tenant["name"] for tenant in districts] == ["Залегощенский район"]


REFUSED = [  # (list, query, parameter at fault, Russian, Bulgarian)
    ("club", "page=0", "page", "Укажите номер страницы: первая страница — 1.",
     "Посочете номер на страница: първата страница е 1."),
    ("club", "page=abc", "page", "Укажите номер страницы: первая страница — 1.",
     "Посочете номер на страница: първата страница е 1."),
    ("club", "page_size=500", "page_size", "На странице может быть от 1 до 100 строк.",
     "Една страница показва от 1 до 100 реда."),
    ("club", "page_size=0", "page_size", "На странице может быть от 1 до 100 строк.",
     "Една страница показва от 1 до 100 реда."),
    ("club", "order_by=nope", "order_by",
     "Сортировать можно по одному из столбцов: name, audience, members, founded_year.",
     "Сортирайте по една от колоните: name, audience, members, founded_year."),
    ("club", "order_by=name&order_direction=up", "order_direction", "Порядок сортировки — asc или desc.",
     "Редът на сортиране е asc или desc."),
    ("club", "active=maybe", "active", "Этому фильтру нужно значение true или false.",
     "Този филтър приема true или false."),
    ("club", "library=abc", "library", "Укажите id существующей записи.", "Посочете id на съществуващ запис."),
    ("club", "library=99999999999", "library", "Укажите id существующей записи.",
     "Посочете id на съществуващ запис."),
    ("club", "members__gte=1.5", "members__gte", "Введите целое число от -2147483648 до 2147483647.",
     "Въведете цяло число от -2147483648 до 2147483647."),
    ("club", "audience=teens", "audience",
     "Выберите одно из значений: children, youth, adults, seniors, families, disabled.",
     "Изберете една от стойностите: children, youth, adults, seniors, families, disabled."),
    ("staff", "hired_on__gte=2024-02-30", "hired_on__gte",
     "Укажите дату в виде ГГГГ-ММ-ДД, например 2024-03-15.",
     "Посочете дата във вида ГГГГ-ММ-ДД, например 2024-03-15."),
    ("staff", "hired_on=15.03.2024", "hired_on", "Укажите дату в виде ГГГГ-ММ-ДД, например 2024-03-15.",
     "Посочете дата във вида ГГГГ-ММ-ДД, например 2024-03-15."),
    ("staff", "employment_rate=полставки", "employment_rate", "Введите в фильтр число.",
     "Въведете число във филтъра."),
    ("club", "name=%00", "name", "Уберите из текста управляющие символы.",
     "Премахнете управляващите символи от текста."),
    ("club", "foo=1", "foo", "У этого списка нет такого параметра.", "Този списък няма такъв параметър."),
    ("club", "name__contain=очаг", "name__contain", "У этого списка нет такого параметра.",
     "Този списък няма такъв параметър."),
    ("club", "version=1", "version", "У этого списка нет такого параметра.", "Този списък няма такъв параметър."),
    ("club", "library=1&library=2", "library", "Укажите этот параметр только один раз.",
     "Посочете този параметър само веднъж."),
]


@pytest.mark.parametrize("resource, query, parameter, in_russian, in_bulgarian", REFUSED)
def test_a_wrong_parameter_is_refused_by_name_in_the_users_language(
        director, bulgarian, resource, query, parameter, in_russian, in_bulgarian):
    for client, message, error in ((director, ERRORS_RU, in_russian), (bulgarian, ERRORS_BG, in_bulgarian)):
        answer = client.get(resource, query)
        assert answer.status_code == 400
        assert answer.get_json() == {"message": message, "errors": {parameter: [error]}}


def test_every_wrong_parameter_is_named_at_once(director):
    answer = director.get("club", "page=0&page_size=500&order_by=nope&active=maybe&library=abc&foo=1")
    assert answer.status_code == 400
    assert sorted(answer.get_json()["errors"]) == ["active", "foo", "library", "order_by", "page", "page_size"]


def test_the_language_and_q_are_not_unknown_parameters(director):
    assert director.get("club", "_l_=bg&q=(page_size:1)").status_code == 200


def test_q_works_as_before_and_gives_the_same_page(director, library_with_clubs):
    library, names = library_with_clubs
    q = (f"(page:1,page_size:2,order_column:name,order_direction:asc,"
         f"filters:!((col:library,opr:rel_o_m,value:{library})))")
    by_q = director.list("club", q=q)
    by_plain = director.list("club", library=library, order_by="name", page=2, page_size=2)
    assert by_q["ids"] == by_plain["ids"] and by_q["count"] == by_plain["count"] == len(names)
    assert [c["name"] for c in by_q["result"]] == names[2:4]
    assert director.list("club", q="(filters:!((col:name,opr:ct,value:ОЧАГ)))")["count"] == 1


def test_q_and_plain_parameters_together(director, library_with_clubs):
    library, names = library_with_clubs
    q = f"(page:0,page_size:2,order_column:members,filters:!((col:library,opr:rel_o_m,value:{library})))"
    # the filters of both apply
    both = director.list("club", q=q, name=names[-1])
    assert [c["name"] for c in both["result"]] == [names[-1]]
    elsewhere = director.everything("club", library__ne=library)[0]["name"]
    assert director.list("club", q=q, name=elsewhere)["count"] == 0
    # the page and the order given plainly win over q's
    assert [c["name"] for c in director.list("club", q=q, page=2, order_by="name")["result"]] == names[2:4]


def _example(schema, document):
    """A value this parameter's schema allows, as a query string carries it."""
    if "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    if "enum" in schema:
        return schema["enum"][0]
    return {"integer": "1", "number": "0.5", "boolean": "true"}.get(schema["type"]) \
        or ("2020-01-01" if schema.get("format") == "date" else "ёлка")


@pytest.mark.parametrize("resource", RECORD_LISTS)
def test_every_documented_parameter_is_typed_and_taken(director, resource):
    document = director.client.get("/api/v1/_openapi", headers=director.headers).get_json()
    parameters = document["paths"][f"/api/v1/{resource}/"]["get"]["parameters"]
    plain = {p["name"]: p for p in parameters if "schema" in p}
    assert {"page", "page_size", "order_by", "order_direction"} <= plain.keys()
    for name, parameter in plain.items():
        assert parameter["in"] == "query" and not parameter["required"] and parameter["description"]
        assert "type" in parameter["schema"] or "$ref" in parameter["schema"]
        answer = director.get(resource, **{name: _example(parameter["schema"], document)})
        assert answer.status_code == 200, (name, answer.get_data(as_text=True))


def test_the_document_says_what_each_parameter_takes(bulgarian):
    document = bulgarian.client.get("/api/v1/_openapi", headers=bulgarian.headers).get_json()
    schemas = document["components"]["schemas"]

    def parameters(resource):
        return {p["name"]: p for p in document["paths"][f"/api/v1/{resource}/"]["get"]["parameters"]}

    club, staff = parameters("club"), parameters("staff")
    assert club["page"]["schema"]["minimum"] == 1
    assert "първата страница е 1" in club["page"]["description"]  # in the reader's language
    assert club["page_size"]["schema"]["maximum"] == 100
    assert schemas[club["order_by"]["schema"]["$ref"].rsplit("/", 1)[1]]["enum"] == \
        ["name", "audience", "members", "founded_year"]
    assert club["order_by"]["schema"]["$ref"].endswith("/ClubOrderBy")
    assert schemas["OrderDirection"]["enum"] == ["asc", "desc"]
    assert club["library"]["schema"]["type"] == "integer"
    assert club["active"]["schema"]["type"] == "boolean"
    assert "adults" in club["audience"]["schema"]["enum"]
    assert club["members__gte"]["schema"]["format"] == "int32"
    assert staff["hired_on__lte"]["schema"]["format"] == "date"
    assert staff["employment_rate__gte"]["schema"]["type"] == "number"
    assert "ё/е" in club["name__contains"]["description"]
