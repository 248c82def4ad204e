"""Letters (app/mail.py) through a real SMTP server on 127.0.0.1: each in its reader's
language, sent only when the change they tell of is committed, and a server that is down
loses the letter, never the work."""
from flask_babel import lazy_gettext
from sqlalchemy import select, text

from app import mail
from app.extensions import db
from app.security.models import Account
from app.tenancy.session import unrestricted

from .conftest import free_port, login, make_app


def _account(username):
    return db.session.scalars(select(Account).where(Account.username == username)).one()


def _tell(app, usernames, *, commit=True):
    with app.app_context(), unrestricted(db.session):
        letters = [mail.letter(_account(name), lambda: lazy_gettext("Events"),
                               lambda: lazy_gettext("Plan of the month")) for name in usernames]
        queued = mail.send_after_commit(db.session, letters)
        if commit:
            db.session.commit()
        else:
            db.session.rollback()
    mail.delivered()
    return queued


def test_each_reader_gets_the_letter_in_their_language(mailing_app, smtp):
    _, inbox = smtp
    inbox.letters.clear()
    assert _tell(mailing_app, ["zal.director", "maglizh.director"]) == 2
    got = {to[0]: message for to, message in inbox.letters}
    assert set(got) == {"zal.director@localhost", "maglizh.director@localhost"}
    russian, bulgarian = got["zal.director@localhost"], got["maglizh.director@localhost"]
    assert russian["Subject"] == "Мероприятия" and russian["From"] == "methodology@library.example"
    assert bulgarian["Subject"] != russian["Subject"] and bulgarian["Subject"] != "Events"
    assert "месеца" in bulgarian.get_content()  # «План за месеца»
    assert "месяц" in russian.get_content()


def test_a_change_rolled_back_mails_nobody(mailing_app, smtp):
    _, inbox = smtp
    inbox.letters.clear()
    _tell(mailing_app, ["zal.director"], commit=False)
    _tell(mailing_app, [])  # a later commit does not send what was rolled back
    assert inbox.letters == []


def test_a_server_that_is_down_loses_the_letter_not_the_work(urls, caplog):
    app = make_app(urls, MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)
    with app.app_context(), unrestricted(db.session):
        account = _account("zal.viewer")
        before = account.first_name
        account.first_name = before + "а"
        mail.send_after_commit(db.session, [mail.letter(account, lambda: "x", lambda: "y")])
        db.session.commit()  # no SMTP error reaches the caller
        assert _account("zal.viewer").first_name == before + "а"
        account.first_name = before
        db.session.commit()
    mail.delivered()
    assert any("not sent" in r.getMessage() for r in caplog.records)


def test_without_a_server_nothing_is_queued(app):
    with app.app_context(), unrestricted(db.session):
        assert not app.config["MAIL_SERVER"]
        assert mail.send_after_commit(db.session, [mail.letter(_account("zal.director"), lambda: "x", lambda: "y")]) == 0


def test_a_submitted_report_tells_its_director_and_a_returned_one_its_author(mailing_app, smtp, owner_engine):
    from .test_stat_reports import _add, _fill, _library, _report, _report_id, _step
    from app.demo_data.stat_reports import _ru

    _, inbox = smtp
    library = _library(owner_engine, "Золотаревская сельская библиотека")
    methodologist, director = login(mailing_app, "zal.methodologist"), login(mailing_app, "zal.director")
    _add(methodologist, library, 2023)
    pk = _report_id(owner_engine, library, 2023)
    inbox.letters.clear()
    _fill(methodologist, owner_engine, pk, _ru(280, 90, 60, 3900, 6800, 0, 28, 8800, 190, 140, 1), do="submit")
    assert _report(owner_engine, pk)["status"] == "submitted"
    mail.delivered()
    (to, letter), = inbox.letters
    assert to == ["zal.director@localhost"]
    assert letter["Subject"] == "На проверку: Статистический отчёт за 2023 год, Золотаревская сельская библиотека"
    assert f"/statreportview/show/{pk}" in letter.get_content()

    inbox.letters.clear()
    _step(director, owner_engine, pk, "return", "Уточните число посещений")
    mail.delivered()
    (to, letter), = inbox.letters
    assert to == ["zal.methodologist@localhost"]
    assert "Уточните число посещений" in letter.get_content()

    inbox.letters.clear()
    _step(methodologist, owner_engine, pk, "submit")
    _step(director, owner_engine, pk, "approve")  # waits for nobody: no letter of its own
    mail.delivered()
    assert [to for to, _ in inbox.letters] == [["zal.director@localhost"]]
    with owner_engine.begin() as conn:  # the demo as it was: other tests count the year's reports
        conn.execute(text("DELETE FROM stat_report_step WHERE report_id = :id"), {"id": pk})
        conn.execute(text("DELETE FROM stat_report WHERE id = :id"), {"id": pk})
