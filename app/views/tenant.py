from flask import url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from flask_appbuilder.fieldwidgets import BS3TextFieldWidget
from flask_babel import gettext
from wtforms import IntegerField, SelectField
from wtforms.validators import Optional

from app.choices import TIME_ZONES
from app.i18n import format_number
from app.models import Tenant

from .base import RecordView
from .library import LibraryView


def zone_label(value) -> str:
    return str(TIME_ZONES.get(value, value or ""))


def public_link(code) -> str:
    """The address of the public pages, to open or to give the site that shows them."""
    if not code:
        return ""
    address = url_for("public.libraries", code=code, _external=True)
    return Markup('<a href="{0}" target="_blank" rel="noopener">{0}</a>').format(address)


class NumericWidget(BS3TextFieldWidget):
    def __call__(self, field, **kwargs):
        kwargs.setdefault("inputmode", "numeric")  # a phone shows its digits; a space is typed as one
        return super().__call__(field, **kwargs)


class PopulationField(IntegerField):
    """A number of inhabitants as people write it, 15 000 or 15000: a text box, since a
    browser's number box refuses the space that groups the digits."""

    widget = NumericWidget()

    def process_formdata(self, valuelist):
        text = "".join((valuelist[0] if valuelist else "").split())  # also a no-break space
        self.data = None
        if text:
            if not (text.isascii() and text.isdigit() or text.startswith("-") and text[1:].isdigit()):
                raise ValueError(gettext("Enter the number of inhabitants as a whole number, such as 15000."))
            self.data = int(text)  # out of range: Tenant.__rules__ says so


class TenantView(RecordView):
    model = Tenant
    list_title, show_title = _l("Regions and districts"), _l("Region or district")
    add_title, edit_title = _l("Add a region or district"), _l("Edit a region or district")
    list_columns = ["name", "kind", "parent", "code", "default_locale", "time_zone"]
    search_columns = ["name", "kind", "parent", "code"]
    add_columns = edit_columns = ["name", "kind", "parent", "code", "default_locale", "time_zone",
                                  "population", "stat_threshold", "public_pages", "public_frame_origins"]
    show_columns = [*add_columns[:-1], "public_address", add_columns[-1]]
    label_columns = {"population": _l("Population"), "stat_threshold": _l("Change that needs a note, per cent")}
    description_columns = {
        "population": _l("Its inhabitants, for the statistics' ratios per inhabitant (users per 100 "
                         "inhabitants, stock per inhabitant)."),
        "stat_threshold": _l("A region's: a figure of its libraries' statistical reports that changed "
                             "from last year by more than this needs a note before the report is "
                             "submitted. 20 where left empty."),
        "public_pages": _l("Open to anyone without signing in, at /public/CODE/ (CODE: the "
                           "organisation's code): its libraries' contacts, hours and clubs, and "
                           "its planned events."),
        "public_frame_origins": _l("The sites that may show the public pages in a frame, such as "
                                   "https://library.example.ru, separated by spaces."),
    }
    order_columns = ["name", "kind", "code"]
    base_order = ("name", "asc")
    related_views = [LibraryView]  # a district's card lists its libraries
    formatters_columns = {"time_zone": zone_label, "public_address": public_link, "population": format_number}
    # The zones by their names in the user's language (the labels are lazy: read per request).
    add_form_extra_fields = edit_form_extra_fields = {
        "time_zone": SelectField(_l("Time zone"), choices=lambda: [(k, str(v)) for k, v in TIME_ZONES.items()],
                                 default="Europe/Moscow"),
        "population": PopulationField(_l("Population"), validators=[Optional()],
                                      description=description_columns["population"]),
    }
