"""What the statistical reports' and summaries' tests read of the database, as its owner
sees it (past every tenancy rule): to check what a request stored, or that it stored nothing."""
import json

from sqlalchemy import text


def scalar(engine, sql, **params):
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


def tenant_id(engine, name):
    return scalar(engine, "SELECT id FROM tenant WHERE name = :n", n=name)


def library_id(engine, name):
    return scalar(engine, "SELECT id FROM library WHERE name = :n", n=name)


def report_id(engine, library, year):
    return scalar(engine, "SELECT id FROM stat_report WHERE library_id = :l AND year = :y", l=library, y=year)


def _json(value):
    return json.loads(value) if isinstance(value, str) else value  # SQLite keeps JSON as text


def stored_report(engine, pk) -> dict:
    """A report as stored: status, edition, version, values and notes."""
    with engine.connect() as conn:
        row = conn.execute(text('SELECT status, edition, version, "values", notes FROM stat_report WHERE id = :i'),
                           {"i": pk}).mappings().first()
    out = dict(row)
    for key in ("values", "notes"):
        out[key] = _json(out[key])
    return out


def report_steps(engine, pk) -> list[tuple]:
    """A report's history: (from, to, comment) in order."""
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT from_status, to_status, comment FROM stat_report_step WHERE report_id = :i ORDER BY id"),
            {"i": pk})]


def stored_summary(engine, district, year) -> dict | None:
    """A district's summary of `year` as stored (id, status, version, values); None: not started."""
    with engine.connect() as conn:
        row = conn.execute(text('SELECT id, status, version, "values" FROM stat_summary '
                                "WHERE tenant_id = :t AND year = :y"), {"t": district, "y": year}).mappings().first()
    if row is None:
        return None
    out = dict(row)
    out["values"] = _json(out["values"])
    return out


def summary_steps(engine, summary_id) -> list[tuple]:
    """A summary's history: (from, to, comment) in order."""
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT from_status, to_status, comment FROM stat_summary_step WHERE summary_id = :i ORDER BY id"),
            {"i": summary_id})]
