"""What a user's dashboard says waits for them in the year's statistics: a report to fill,
to start, to check, one returned with its comment; late ones after their district's date."""
import datetime

from sqlalchemy import text

from app.demo_data.stat_reports import _ru

from .conftest import login
from .test_stat_reports import _add, _fill, _library, _report_id, _step, _text

ZOLOTAREVO = "Золотаревская сельская библиотека"


def _waiting(client) -> str:
    html = client.get("/dashboard/").get_data(as_text=True)
    start = html.find('<section class="waiting')
    if start < 0:
        return ""
    part = html[start:html.find("</section>", start)]
    return _text(type("Page", (), {"get_data": lambda self, as_text=True: part})()).replace(" :", ":")


def test_branch_staff_see_their_librarys_report_to_fill_and_whether_it_is_late(app, owner_engine):
    year = datetime.date.today().year - 1
    with owner_engine.connect() as conn:
        status = conn.execute(text(
            "SELECT r.status FROM stat_report r JOIN library l ON l.id = r.library_id "
            "WHERE l.name = 'Бортновская сельская библиотека' AND r.year = :y"), {"y": year}).scalar()
        due = conn.execute(text(
            "SELECT d.due_on FROM stat_deadline d JOIN tenant t ON t.id = d.tenant_id "
            "WHERE t.code = 'ORL' AND d.year = :y AND d.level = 'libraries'"), {"y": year}).scalar()
    shown = _waiting(login(app, "zal.branch"))
    if status in (None, "draft"):
        assert ("Заполнить" if status else "Начать") in shown and "Бортновская сельская библиотека" in shown
        if due is not None:
            due = due if isinstance(due, datetime.date) else datetime.date.fromisoformat(due)
            assert f"срок {due:%d.%m.%Y}" in shown
            assert ("Опаздывает" in shown) == (datetime.date.today() > due)
    # Only her own library: the district's other libraries are not hers to fill.
    assert "Грачевская" not in shown
    assert _waiting(login(app, "zal.viewer")) == ""


def test_a_submitted_report_waits_for_the_director_and_a_returned_one_for_its_filler(app, owner_engine):
    library = _library(owner_engine, ZOLOTAREVO)
    methodologist, director = login(app, "zal.methodologist"), login(app, "zal.director")
    _add(methodologist, library, 2022)
    pk = _report_id(owner_engine, library, 2022)
    try:
        _fill(methodologist, owner_engine, pk, _ru(250, 80, 50, 3500, 6000, 0, 25, 8000, 150, 120, 1), do="submit")
        assert "На проверку: статистический отчёт 2022, " + ZOLOTAREVO in _waiting(director)
        _step(director, owner_engine, pk, "return", "Нет данных о фонде")
        assert "На проверку: статистический отчёт 2022" not in _waiting(director)
        shown = _waiting(methodologist)
        assert "Возвращён на доработку: статистический отчёт 2022, " + ZOLOTAREVO in shown
        assert "Нет данных о фонде" in shown
        assert "Возвращён" not in _waiting(login(app, "maglizh.director"))
    finally:
        with owner_engine.begin() as conn:
            conn.execute(text("DELETE FROM stat_report_step WHERE report_id = :i"), {"i": pk})
            conn.execute(text("DELETE FROM stat_report WHERE id = :i"), {"i": pk})
