"""The dashboard, the index page after login, and the district passport.

/                          the dashboard of the user's node (Admin: every region)
/dashboard/<id>            a region's (one row per district) or a district's (one row per library)
/dashboard/[<id>/]xlsx     the same as a workbook
/passport/<id>             a district's printable passport

A region or district outside the user's scope answers 404, like a missing one.
"""
import datetime

from flask import abort, redirect, request, url_for
from flask_appbuilder import IndexView, expose, has_access
from flask_babel import get_locale, gettext as _
from flask_login import current_user

from app.choices import TenantKind
from app.extensions import db
from app.i18n import format_day
from app.models import Tenant
from app.tenancy.session import current_scope

from .charts import bar_chart
from .figures import report
from .files import XLSX, Sheet, Styled, attachment, xlsx_chunks
from .layout import applies, cells, charts, owner_label, sections, unit_label
from .passport import description, passport
from .printing import page_frame
from .years import asked_year


# A page of more rows (the network's 85 regions, a large region's districts) shows one
# section's table at a time, chosen above it: all of them at once made a page of some
# thousands of cells. The workbook holds every section.
ONE_SECTION_FROM = 40


class DashboardView(IndexView):
    route_base = ""
    class_permission_name = "Dashboard"
    method_permission_name = {"dashboard": "show", "dashboard_xlsx": "show", "passport": "show"}
    # "Dashboard" names the menu link too: without its menu_access here, FAB tries to
    # delete that permission at every start, as one the view no longer has.
    base_permissions = ["can_show", "menu_access"]

    @expose("/")
    def index(self):
        if not current_user.is_authenticated:
            return redirect(self.appbuilder.get_url_for_login)
        return self.dashboard()

    @expose("/dashboard/")
    @expose("/dashboard/<int:pk>")
    @has_access
    def dashboard(self, pk=None):
        node = _node(pk)
        figures = report(db.session, node, year=_year())
        self.update_redirect()
        scope = current_scope(db.session)
        every, tabs = sections(figures), None
        if len(figures.units) > ONE_SECTION_FROM:
            chosen = next((s for s in every if s.slug == request.args.get("section")), every[0])
            tabs = [(s.title, url_for(".dashboard", pk=pk, year=_year(), section=s.slug, _anchor="figures"),
                     s is chosen) for s in every]
            every = [chosen]
        return self.render_template(
            "reports/dashboard.html", report=figures, title=_title(node), crumbs=_crumbs(node),
            sections=every, tabs=tabs, rows=_rows(figures), first=_first_heading(node), cells=cells,
            applies=applies, rows_for=_rows_for,
            charts=[(chart.title, bar_chart(chart)) for chart in charts(figures)],
            xlsx=url_for(".dashboard_xlsx", pk=pk, year=_year()),
            passport=url_for(".passport", pk=node.id) if figures.by_library else None,
            own_library_only=scope.library_id is not None,
            waiting=_waiting(pk, scope), day=format_day,
            page_frame=page_frame(f"{_title(node)} · {_('Dashboard')}", format_day(datetime.date.today())))

    @expose("/dashboard/xlsx")
    @expose("/dashboard/<int:pk>/xlsx")
    @has_access
    def dashboard_xlsx(self, pk=None):
        node = _node(pk)
        figures = report(db.session, node, year=_year())
        title, rows = f"{_title(node)}: {_('Dashboard')}", _rows(figures)
        sheets = [_sheet(section, title, _first_heading(node), _rows_for(section, rows))
                  for section in sections(figures)]
        name = f"dashboard-{node.id if node else 'all'}-{datetime.date.today().isoformat()}.xlsx"
        return attachment(xlsx_chunks(sheets, str(get_locale())), name, XLSX)

    @expose("/passport/<int:pk>")
    @has_access
    def passport(self, pk):
        node = _node(pk)
        if node.kind is not TenantKind.district:
            abort(404)
        data = passport(db.session, node)
        self.update_redirect()
        return self.render_template(
            "reports/passport.html", district=node, passport=data, description=description(data.report),
            staff=[s for s in sections(data.report) if s.slug == "staff"][0], cells=cells,
            today=datetime.date.today(), day=format_day, dashboard=url_for(".dashboard", pk=node.id),
            page_frame=page_frame(f"{_('District passport')} · {node.name}", format_day(datetime.date.today())))


def _waiting(pk, scope) -> list:
    """On the user's own dashboard: the statistical reports that wait for them."""
    from app.statistics.waiting import waiting

    if pk is not None and pk != scope.node_id:
        return []
    return waiting(db.session, current_user, scope.node_id, scope.library_id)


def _year() -> int | None:
    """The reporting year asked for, if any."""
    return asked_year(None)


def _node(pk):
    """The region or district a page is about: the user's own when none is named."""
    scope = current_scope(db.session)
    if pk is None:
        pk = scope.node_id
        if pk is None:
            return None  # Admin: the whole network
    node = db.session.get(Tenant, pk)
    # A district sees its region's row (the owner of its contests), but not its dashboard.
    if node is None or not (scope.unrestricted or pk in scope.visible):
        abort(404)
    return node


def _title(node) -> str:
    return node.name if node is not None else _("All regions")


def _first_heading(node) -> str:
    if node is None:
        return _("Region")
    return _("District") if node.kind is TenantKind.region else _("Library")


def _crumbs(node) -> list[tuple[str, str | None]]:
    """The way up from a page to the user's own node: (name, link)."""
    scope, crumbs = current_scope(db.session), []
    while node is not None and (scope.unrestricted or node.id in scope.visible):
        crumbs.insert(0, (node.name, url_for(".dashboard", pk=node.id)))
        node = node.parent
    if scope.unrestricted:
        crumbs.insert(0, (_("All regions"), url_for(".index")))
    return crumbs


def _rows(figures):
    """The table rows: each with its label, its links and its figures; then the total."""
    rows = [{"label": unit_label(unit), "counts": figures.rows[unit.id],
             # a district's row opens its dashboard; a library's, the library's card
             "url": url_for(".dashboard", pk=unit.opens) if unit.opens
             else url_for("LibraryView.show", pk=unit.id) if figures.by_library else None,
             "passport": url_for(".passport", pk=unit.opens)
             if unit.opens and figures.node is not None else None,
             "library": figures.by_library}
            for unit in figures.units]
    if figures.by_library:  # the district's own contests: in no library's row, in the total
        rows.append({"label": owner_label(figures), "counts": figures.own, "url": None,
                     "passport": None, "owner": True})
    return [*rows, {"label": _("Total"), "counts": figures.total, "url": None, "passport": None,
                    "total": True}]


def _rows_for(section, rows):
    """The rows of a section's table: the owner's row only where it has a figure."""
    owned = any(column.owner for column in section.columns)
    return [row for row in rows if owned or not row.get("owner")]


def _sheet(section, title, first, rows) -> Sheet:
    """A dashboard table as a sheet: the page's title, the section's, headings, rows."""
    def cells(row):
        values = (column.value(row["counts"]) if applies(column, row) else None
                  for column in section.columns)
        shares = (column.share_of for column in section.columns)
        return [Styled(row["label"], bold=bool(row.get("total"))),
                *(Styled(value, "0%") if share else value for value, share in zip(values, shares))]

    headings = [Styled(h, bold=True) for h in (first, *section.flat_headings())]
    return Sheet(section.title, [[Styled(title, bold=True)], [Styled(section.title, bold=True)], headings,
                                 *map(cells, rows)],
                 widths=(40, *(14 for _column in section.columns)), frozen="B4")
