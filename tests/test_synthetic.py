"""The synthetic national network's statistical reports (`flask demo generate`): every
report could be submitted as it stands, the older years are approved, the last one is in
every status with its history, and generating again adds nothing."""
import datetime
from collections import Counter

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from app import create_app
from app.extensions import db
from app.tenancy.session import unrestricted


@pytest.fixture(scope="module")
def network(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('synthetic') / 'national.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "MIGRATION_DATABASE_URL": url})
    with app.app_context():
        upgrade()
        from app.synthetic import generate

        with unrestricted(db.session):
            added = generate(districts=6, regions=2)
            yield app, added


def test_every_library_has_three_years_of_reports(network):
    from app.models import Library
    from app.records.stat_report import StatReport

    app, added = network
    libraries = db.session.scalar(select(func.count(Library.id)))
    this_year = datetime.date.today().year
    years = Counter(db.session.scalars(select(StatReport.year)))
    assert years == {year: libraries for year in range(this_year - 3, this_year)}
    assert added["stat_report"] == 3 * libraries
    assert {r.edition for r in db.session.scalars(select(StatReport))} == {"6nk-2021"}


def test_the_figures_pass_the_forms_checks(network):
    """Sums add up, parts stay within their wholes, and a change from last year beyond
    the threshold has its note: nothing stops a report's submission."""
    from app.records.stat_report import StatReport
    from app.statistics import workflow

    reports = db.session.scalars(select(StatReport).order_by(StatReport.year)).all()
    notes = 0
    for report in reports:
        assert set(report.values) == set(report.form.indicators), report.id
        assert workflow.blocking(report) == [], (report.id, workflow.blocking(report)[:3])
        notes += len(report.notes)
    # Mostly under 20 %: the notes are for a few indicators of a report, not most.
    assert 0 < notes < 0.15 * len(reports) * len(reports[0].values)


def test_statuses_and_their_history(network):
    from app.records.stat_report import StatReport

    this_year = datetime.date.today().year
    reports = db.session.scalars(select(StatReport)).all()
    assert {r.status.name for r in reports if r.year < this_year - 1} == {"approved"}
    last = Counter(r.status.name for r in reports if r.year == this_year - 1)
    assert set(last) == {"approved", "submitted", "draft", "returned"}
    assert last["approved"] > sum(last.values()) / 2
    for report in reports:
        first, final = report.steps[0], report.steps[-1]
        assert first.from_status is None and first.to_status.name == "draft"
        assert final.to_status == report.status
        assert all(a.at <= b.at for a, b in zip(report.steps, report.steps[1:]))
        if report.status.name == "returned":
            assert final.comment


def test_districts_summaries_keep_their_approved_reports_sums(network):
    """A district whose reports of a year are all approved has its summary, with the
    figures the workflow would have kept; the older years approved by the region."""
    from app.models import Tenant
    from app.records.stat_summary import StatSummary
    from app.statistics import workflow

    app, added = network
    this_year = datetime.date.today().year
    summaries = db.session.scalars(select(StatSummary)).all()
    assert added["stat_summary"] == len(summaries) > 0
    districts = db.session.scalars(select(Tenant).where(Tenant.parent_id.is_not(None))).all()
    for district in districts:
        for year in range(this_year - 3, this_year):
            found = [s for s in summaries if s.tenant_id == district.id and s.year == year]
            if workflow.missing_libraries(district.id, year):
                assert found == [], (district.name, year)
                continue
            assert len(found) == 1, (district.name, year)
            assert found[0].values == workflow.snapshot(district.id, year)
            assert found[0].steps[-1].to_status == found[0].status
            if year < this_year - 1:
                assert found[0].status.name == "approved"
    last = Counter(s.status.name for s in summaries if s.year == this_year - 1)
    assert last["approved"] and sum(last.values()) > len(districts) / 2


def test_generating_again_adds_nothing(network):
    from app.records.stat_report import StatReport
    from app.synthetic import generate

    before = db.session.scalar(select(func.count(StatReport.id)))
    assert generate(districts=6, regions=2) == {}
    assert db.session.scalar(select(func.count(StatReport.id))) == before


def test_a_network_generated_before_the_statistics_gets_them(network):
    """A cached benchmark database made before the reports existed is completed, not redone."""
    from sqlalchemy import delete

    from app.models import Library
    from app.records.stat_report import StatReport, StatReportStep
    from app.synthetic import generate

    from app.records.stat_summary import StatSummary, StatSummaryStep

    for table in (StatSummaryStep, StatSummary, StatReportStep, StatReport):
        db.session.execute(delete(table))
    db.session.commit()
    libraries = db.session.scalar(select(func.count(Library.id)))
    added = generate(districts=6, regions=2)
    assert added["stat_report"] == 3 * libraries and added["stat_summary"]
    assert generate(districts=6, regions=2) == {}
