"""A meeting's protocol, printed on A4 in the layout of the districts' paper protocols:
who was present, the agenda, then for each item what was heard, who spoke and what was
decided, the conclusions, and the signatures of the chair and the secretary.

The document speaks the language of the organisation that held the meeting (a region's
operator reading a Bulgarian municipality's protocol prints it in Bulgarian); the page
around it, the user's own.
"""
from __future__ import annotations

from flask import render_template
from flask_babel import gettext as _, ngettext
from markupsafe import Markup

from app.i18n import format_day, speaking

from .printing import page_frame


def protocol_title(meeting) -> str:
    """"Протокол семинара «…»": the kind of meeting as the title says it, with its topic."""
    titles = {
        "seminar": _("Protocol of the seminar «%(topic)s»", topic=meeting.topic),
        "conference": _("Protocol of the conference «%(topic)s»", topic=meeting.topic),
        "meeting": _("Protocol of the meeting «%(topic)s»", topic=meeting.topic),
        "round_table": _("Protocol of the round table «%(topic)s»", topic=meeting.topic),
    }
    return titles.get(meeting.kind.name, _("Protocol: %(topic)s", topic=meeting.topic))


def protocol_page(view, meeting):
    language = meeting.tenant.default_locale.name
    with speaking(language):
        title = protocol_title(meeting)
        document = render_template(
            "reports/protocol.html", meeting=meeting, title=title, day=format_day,
            present_count=ngettext("%(num)d person present in all", "%(num)d people present in all", meeting.headcount()))
        frame = page_frame(f"{meeting.tenant.name} · {_('Protocol')}", format_day(meeting.held_on))
    return view.render_template("reports/protocol_page.html", document=Markup(document), page_frame=frame,
                                title=title, meeting=meeting)
