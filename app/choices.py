"""Fixed lists of values: the member name is the code stored in the database and
used by the API; the member value is the label shown to people, in their language."""
import enum

from markupsafe import escape


class _l(str):
    """An English label that shows itself in the current language when printed.
    (A plain str subclass: enum members hash it at import, before any app exists.)"""

    def __str__(self) -> str:
        from app.i18n import translations  # the catalog of the request, found once

        return str.__str__(translations().ugettext(str.__str__(self)))


class Choice(enum.Enum):
    def __str__(self) -> str:
        return str(self.value)

    def __html__(self) -> str:
        return str(escape(str(self.value)))

    @classmethod
    def codes(cls) -> list[str]:
        return list(cls.__members__)


class TenantKind(Choice):
    region = _l("Region")
    district = _l("District")


class Locale(Choice):
    ru = _l("Russian")
    bg = _l("Bulgarian")
    en = _l("English")


class LibraryKind(Choice):
    regional = _l("Regional library")
    central = _l("Central district library")
    children = _l("Children's library")
    branch = _l("Branch library")
    chitalishte = _l("Community cultural centre library")


class LibraryStatus(Choice):
    active = _l("Active")
    closed = _l("Closed")


class Education(Choice):
    higher_library = _l("Higher, library")
    higher_other = _l("Higher, other")
    secondary_library = _l("Secondary vocational, library")
    secondary_other = _l("Secondary vocational, other")
    other = _l("Other education")


class Audience(Choice):
    children = _l("Children")
    youth = _l("Youth")
    adults = _l("Adults")
    seniors = _l("Seniors")
    families = _l("Families")
    disabled = _l("People with disabilities")


class OutreachKind(Choice):
    mobile_collection = _l("Mobile collection")
    lending_point = _l("Lending point")
    home_service = _l("Home service")
    mobile_library = _l("Mobile library stop")


class ContestLevel(Choice):
    district = _l("District contest")
    regional = _l("Regional contest")
    national = _l("National contest")


class ContestResult(Choice):
    first_place = _l("1st place")
    second_place = _l("2nd place")
    third_place = _l("3rd place")
    award = _l("Award")
    participant = _l("Participant")


# The time zones of the networks served, by their IANA names (stored as such, and what the
# API speaks): times are shown in the zone of the organisation a record belongs to.
TIME_ZONES = {
    "Europe/Kaliningrad": _l("Kaliningrad (UTC+2)"),
    "Europe/Moscow": _l("Moscow (UTC+3)"),
    "Europe/Samara": _l("Samara (UTC+4)"),
    "Asia/Yekaterinburg": _l("Yekaterinburg (UTC+5)"),
    "Asia/Omsk": _l("Omsk (UTC+6)"),
    "Asia/Krasnoyarsk": _l("Krasnoyarsk (UTC+7)"),
    "Asia/Irkutsk": _l("Irkutsk (UTC+8)"),
    "Asia/Yakutsk": _l("Yakutsk (UTC+9)"),
    "Asia/Vladivostok": _l("Vladivostok (UTC+10)"),
    "Asia/Magadan": _l("Magadan (UTC+11)"),
    "Asia/Kamchatka": _l("Kamchatka (UTC+12)"),
    "Europe/Sofia": _l("Sofia (UTC+2)"),
}
# A new organisation's zone when none is given: its parent's, else by its language.
DEFAULT_TIME_ZONE = {"bg": "Europe/Sofia"}
FALLBACK_TIME_ZONE = "Europe/Moscow"


def default_time_zone(locale) -> str:
    return DEFAULT_TIME_ZONE.get(getattr(locale, "name", locale), FALLBACK_TIME_ZONE)
