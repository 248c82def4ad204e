"""E-mail to the people whose action a record waits for, each in their own language.

Sent only where MAIL_SERVER is set, and only once the change it tells of is committed: a
change rolled back mails nobody. Letters leave from a thread of their own, so an SMTP
server that is slow or down costs the request nothing; its failure is logged, never
raised, and the work goes on without the letter.
"""
from __future__ import annotations

import logging
import smtplib
import ssl
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Callable

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

SETTINGS = ("MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS", "MAIL_USE_SSL", "MAIL_USERNAME",
            "MAIL_PASSWORD", "MAIL_DEFAULT_SENDER", "MAIL_TIMEOUT")
PENDING = "libnet_letters"  # session.info: the letters its next commit sends

_post = ThreadPoolExecutor(max_workers=1, thread_name_prefix="libnet-mail")
_posted: list = []  # what was handed to the thread and may still be on its way


@dataclass(frozen=True)
class Letter:
    to: str
    subject: str
    body: str


def enabled() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def letter(account, subject: Callable[[], str], body: Callable[[], str]) -> Letter | None:
    """A letter to `account`, its subject and body said in the account's language (its
    own, else its organisation's); None for an account without an e-mail or disabled."""
    from app.i18n import speaking, tenant_locale

    if not getattr(account, "email", None) or not account.active:
        return None
    locale = account.locale or tenant_locale(account) or current_app.config["BABEL_DEFAULT_LOCALE"]
    with speaking(locale):
        return Letter(account.email, str(subject()), str(body()))


def send_after_commit(session: Session, letters) -> int:
    """Send `letters` when `session` next commits (nothing when it rolls back); how many
    will be sent. Without MAIL_SERVER, none."""
    letters = [item for item in letters if item is not None]
    if not letters or not enabled():
        return 0
    session.info.setdefault(PENDING, []).extend(letters)
    return len(letters)


@event.listens_for(Session, "after_commit")
def _post_letters(session):
    letters = session.info.pop(PENDING, None)
    if letters:
        settings = {name: current_app.config.get(name) for name in SETTINGS}
        _posted.append(_post.submit(_deliver, settings, letters))
        _posted[:] = [f for f in _posted if not f.done()]


@event.listens_for(Session, "after_rollback")
def _forget_letters(session):
    session.info.pop(PENDING, None)


def delivered(timeout: float = 30) -> None:
    """Wait until the letters handed over so far have been sent or given up (the CLI
    before it exits, and the tests)."""
    wait(list(_posted), timeout=timeout)


def _deliver(settings: dict, letters: list[Letter]) -> None:
    server, port = settings["MAIL_SERVER"], int(settings["MAIL_PORT"] or 0)
    timeout = float(settings["MAIL_TIMEOUT"] or 10)
    sender = settings["MAIL_DEFAULT_SENDER"]
    if isinstance(sender, (tuple, list)):
        sender = formataddr(tuple(sender))
    try:
        if settings["MAIL_USE_SSL"]:
            smtp = smtplib.SMTP_SSL(server, port or 465, timeout=timeout, context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(server, port or 25, timeout=timeout)
        with smtp:
            if settings["MAIL_USE_TLS"] and not settings["MAIL_USE_SSL"]:
                smtp.starttls(context=ssl.create_default_context())
            if settings["MAIL_USERNAME"]:
                smtp.login(settings["MAIL_USERNAME"], settings["MAIL_PASSWORD"] or "")
            for item in letters:
                message = EmailMessage()
                message["From"], message["To"], message["Subject"] = sender, item.to, item.subject
                message["Message-ID"] = make_msgid(domain=(sender or "libnet").rpartition("@")[2].strip(">") or None)
                message.set_content(item.body)
                smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:  # the work is done; the letter is not
        log.warning("%d letter(s) not sent through %s:%s: %s", len(letters), server, port, error)
