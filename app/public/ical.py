"""An iCalendar feed (RFC 5545) of planned events, written by hand: a few properties do
not call for a dependency.

Text is escaped (backslash, semicolon, comma, line break) and every line folded at 75
octets, never inside a character. A time of day is local to the library's tenant: its
DTSTART names the zone (TZID), and the feed describes each zone it names (VTIMEZONE), from
the system's time zone database, for the days the events span.
"""
from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

LINE = 75  # octets, the line break not counted
UTC = datetime.timezone.utc


def escape(text: str) -> str:
    """A TEXT value (RFC 5545, 3.3.11)."""
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n"))


def fold(line: str) -> str:
    """A content line in pieces of at most 75 octets, each after the first starting with a
    space (RFC 5545, 3.1); a UTF-8 character is never split."""
    pieces, piece, size = [], "", 0
    for char in line:
        octets = len(char.encode("utf-8"))
        if size + octets > LINE:
            pieces.append(piece)
            piece, size = " ", 1
        piece += char
        size += octets
    pieces.append(piece)
    return "\r\n".join(pieces)


def _offset(delta: datetime.timedelta) -> str:
    minutes = int(delta.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


def _local(moment: datetime.datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%S")


def timezone(name: str, first: datetime.date, last: datetime.date) -> list[str]:
    """A VTIMEZONE for `name` from `first` to `last`: the offset in force on the first day,
    then each change of offset (summer time) up to the last."""
    zone = ZoneInfo(name)
    moment = datetime.datetime.combine(first - datetime.timedelta(days=1), datetime.time(), UTC)
    end = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time(), UTC)
    offset = moment.astimezone(zone).utcoffset()
    changes = [(moment, offset, offset)]
    step = datetime.timedelta(days=1)
    while moment < end:
        if (moment + step).astimezone(zone).utcoffset() != offset:
            while (moment + datetime.timedelta(minutes=15)).astimezone(zone).utcoffset() == offset:
                moment += datetime.timedelta(minutes=15)  # to the quarter hour of the change
            moment += datetime.timedelta(minutes=15)
            new = moment.astimezone(zone).utcoffset()
            changes.append((moment, offset, new))
            offset = new
        else:
            moment += step
    lines = ["BEGIN:VTIMEZONE", f"TZID:{name}"]
    for moment, before, after in changes:
        local = moment.astimezone(zone)
        kind = "DAYLIGHT" if local.dst() else "STANDARD"
        # An observance starts at the local time of the offset it replaces.
        lines += [f"BEGIN:{kind}", f"DTSTART:{_local((moment + before).replace(tzinfo=None))}",
                  f"TZOFFSETFROM:{_offset(before)}", f"TZOFFSETTO:{_offset(after)}",
                  f"TZNAME:{escape(local.tzname() or name)}", f"END:{kind}"]
    return [*lines, "END:VTIMEZONE"]


def calendar(events: list[dict], *, name: str, language: str) -> str:
    """The feed. Each event: uid, sequence, day, time ("18:30" or None), time_zone, summary,
    location, description, url (or None). DTSTAMP is the start of today (UTC), so the same
    events make the same feed, and the same ETag, all day long."""
    stamp = datetime.datetime.now(UTC).strftime("%Y%m%dT000000Z")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:-//Libnet//Public events//{language.upper()}",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH", f"X-WR-CALNAME:{escape(name)}"]
    days_by_zone: dict[str, list[datetime.date]] = {}
    for event in events:
        if event["time"]:
            days_by_zone.setdefault(event["time_zone"], []).append(event["day"])
    for zone, days in sorted(days_by_zone.items()):
        lines += timezone(zone, min(days), max(days))
    for event in events:
        day = event["day"]
        if event["time"]:
            hours, minutes = (int(part) for part in event["time"].split(":"))
            start = f"DTSTART;TZID={event['time_zone']}:" \
                    f"{_local(datetime.datetime.combine(day, datetime.time(hours, minutes)))}"
        else:  # a day's event: it lasts the day
            start = f"DTSTART;VALUE=DATE:{day.strftime('%Y%m%d')}"
        lines += ["BEGIN:VEVENT", f"UID:{event['uid']}", f"DTSTAMP:{stamp}", f"SEQUENCE:{event['sequence']}",
                  start, f"SUMMARY:{escape(event['summary'])}"]
        if event["location"]:
            lines.append(f"LOCATION:{escape(event['location'])}")
        if event["description"]:
            lines.append(f"DESCRIPTION:{escape(event['description'])}")
        if event["url"]:
            lines.append(f"URL:{event['url']}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
