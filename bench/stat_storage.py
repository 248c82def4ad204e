"""How to store the annual statistics' figures: the two layouts side by side, at national size.

    .venv/bin/python bench/stat_storage.py        # STORAGE_DISTRICTS=2500 by default

Builds, in a scratch SQLite file (and in a scratch PostgreSQL database when the local
server answers; dropped after), the reports of STORAGE_DISTRICTS districts × 18 libraries
× 3 years with every indicator of form 6-НК (app.synthetic's figures), twice:

  json    one row per report, its figures in a JSON column (the schema as it is);
  narrow  one row per report and one row per figure: stat_value(report_id, code, value),
          its primary key (report_id, code), so a report's figures lie together.

and times what the statistics read: one report with last year's, a district's sum (18
libraries), a 30-district region's sum (540) and the nation's (45,000), of the approved
reports of a year. The JSON layout is summed twice: read and summed in Python as the
summary page does (app.statistics.summary.consolidate), and in the database (json_each).
Prints a table, and the size of each layout.
"""
import datetime
import json
import os
import random
import socket
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DISTRICTS = int(os.environ.get("STORAGE_DISTRICTS", 2500))
REGIONS = min(85, DISTRICTS)
LIBRARIES = 18
REPEAT = int(os.environ.get("STORAGE_REPEAT", 10))
YEAR = datetime.date.today().year - 1
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_NAME = "libnet_stat_storage"


def reports():
    """(id, district, library, year, status, values) of every report, as the generator makes them."""
    from app.choices import LibraryKind
    from app.statistics.forms import edition
    from app.statistics.workflow import with_totals
    from app.synthetic import _Library

    form = edition("6nk-2021")
    rng = random.Random(1)
    report = 0
    for district in range(1, DISTRICTS + 1):
        for n in range(LIBRARIES):
            kind = LibraryKind.central if n == 0 else LibraryKind.children if n == 1 else LibraryKind.branch
            library = _Library(rng, kind)
            for year in range(YEAR - 2, YEAR + 1):
                report += 1
                status = "approved" if year < YEAR or rng.random() < 0.75 else "submitted"
                values = with_totals(form, library.next_year(first=year == YEAR - 2))
                yield report, district, (district - 1) * LIBRARIES + n + 1, year, status, values


def region_of(district: int) -> int:
    return (district - 1) % REGIONS + 1  # as app.synthetic spreads districts over regions


# -- the two layouts, on each database ------------------------------------------------

SCHEMA = {
    "json": ["CREATE TABLE report (id INTEGER PRIMARY KEY, tenant_id INTEGER NOT NULL, library_id INTEGER "
             "NOT NULL, year INTEGER NOT NULL, status VARCHAR(20) NOT NULL, {json} NOT NULL)",
             "CREATE UNIQUE INDEX ux_report ON report (tenant_id, library_id, year)",
             "CREATE INDEX ix_report ON report (tenant_id, year, status)"],
    "narrow": ["CREATE TABLE report (id INTEGER PRIMARY KEY, tenant_id INTEGER NOT NULL, library_id INTEGER "
               "NOT NULL, year INTEGER NOT NULL, status VARCHAR(20) NOT NULL)",
               "CREATE UNIQUE INDEX ux_report ON report (tenant_id, library_id, year)",
               "CREATE INDEX ix_report ON report (tenant_id, year, status)",
               "CREATE TABLE stat_value (report_id INTEGER NOT NULL, code VARCHAR(40) NOT NULL, "
               "value NUMERIC, PRIMARY KEY (report_id, code)){without_rowid}"],
}

# What is read. :tenants is a list of district ids; the JSON layout's figures are summed in
# Python (as the page does) or by the database (json_each).
QUERIES = {
    "sqlite": {
        "one": {"json": "SELECT year, \"values\" FROM report WHERE tenant_id = ? AND library_id = ? "
                        "AND year IN (?, ?)",
                "narrow": "SELECT r.year, v.code, v.value FROM report r JOIN stat_value v ON v.report_id = r.id "
                          "WHERE r.tenant_id = ? AND r.library_id = ? AND r.year IN (?, ?)"},
        "rows": "SELECT \"values\" FROM report WHERE tenant_id IN ({in}) AND year = ? AND status = 'approved'",
        "json_sql": "SELECT j.key, sum(j.value), count(*) FROM report r, json_each(r.\"values\") j "
                    "WHERE r.tenant_id IN ({in}) AND r.year = ? AND r.status = 'approved' GROUP BY j.key",
        "narrow": "SELECT v.code, sum(v.value), count(*) FROM report r JOIN stat_value v ON v.report_id = r.id "
                  "WHERE r.tenant_id IN ({in}) AND r.year = ? AND r.status = 'approved' GROUP BY v.code",
    },
    "postgresql": {
        "one": {"json": "SELECT year, \"values\"::text FROM report WHERE tenant_id = %s AND library_id = %s "
                        "AND year IN (%s, %s)",
                "narrow": "SELECT r.year, v.code, v.value FROM report r JOIN stat_value v ON v.report_id = r.id "
                          "WHERE r.tenant_id = %s AND r.library_id = %s AND r.year IN (%s, %s)"},
        "rows": "SELECT \"values\"::text FROM report WHERE tenant_id = ANY(%s) AND year = %s AND status = 'approved'",
        "json_sql": "SELECT j.key, sum(j.value::numeric), count(*) FROM report r, json_each_text(r.\"values\") j "
                    "WHERE r.tenant_id = ANY(%s) AND r.year = %s AND r.status = 'approved' GROUP BY j.key",
        "narrow": "SELECT v.code, sum(v.value), count(*) FROM report r JOIN stat_value v ON v.report_id = r.id "
                  "WHERE r.tenant_id = ANY(%s) AND r.year = %s AND r.status = 'approved' GROUP BY v.code",
    },
}


class Database:
    def __init__(self, kind: str):
        self.kind = kind
        if kind == "sqlite":
            import sqlite3

            self.dir = tempfile.mkdtemp(prefix="stat-storage-")
            self.connect = lambda layout: sqlite3.connect(os.path.join(self.dir, f"{layout}.db"))
        else:
            import psycopg

            with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                for layout in SCHEMA:
                    admin.execute(f"DROP DATABASE IF EXISTS {PG_NAME}_{layout}")
                    admin.execute(f"CREATE DATABASE {PG_NAME}_{layout}")
            self.connect = lambda layout: psycopg.connect(PG_ADMIN.rsplit("/", 1)[0] + f"/{PG_NAME}_{layout}")

    def drop(self):
        if self.kind == "sqlite":
            import shutil

            shutil.rmtree(self.dir, ignore_errors=True)
            return
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            for layout in SCHEMA:
                admin.execute(f"DROP DATABASE IF EXISTS {PG_NAME}_{layout}")

    def build(self, layout: str):
        """Create and fill the layout; returns (connection, seconds, bytes)."""
        connection = self.connect(layout)
        json_column = "\"values\" TEXT" if self.kind == "sqlite" else "\"values\" JSON"
        for statement in SCHEMA[layout]:
            connection.execute(statement.format(json=json_column,
                                                without_rowid=" WITHOUT ROWID" if self.kind == "sqlite" else ""))
        started = time.perf_counter()
        if self.kind == "sqlite":
            connection.execute("PRAGMA synchronous = OFF")
            self._fill_sqlite(connection, layout)
            connection.commit()
            connection.execute("ANALYZE")
            connection.commit()
            size = sum(os.path.getsize(os.path.join(self.dir, name)) for name in os.listdir(self.dir)
                       if name.startswith(layout))
        else:
            self._fill_postgresql(connection, layout)
            connection.commit()
            connection.autocommit = True
            connection.execute("VACUUM ANALYZE")
            size = connection.execute("SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c "
                                      "WHERE c.relname IN ('report', 'stat_value')").fetchone()[0]
        return connection, time.perf_counter() - started, size

    def _fill_sqlite(self, connection, layout):
        batch, values = [], []
        for id_, district, library, year, status, figures in reports():
            if layout == "json":
                batch.append((id_, district, library, year, status, json.dumps(figures)))
            else:
                batch.append((id_, district, library, year, status))
                values += [(id_, code, value) for code, value in figures.items()]
            if len(batch) >= 5000:
                self._sqlite_batch(connection, layout, batch, values)
                batch, values = [], []
        self._sqlite_batch(connection, layout, batch, values)

    @staticmethod
    def _sqlite_batch(connection, layout, batch, values):
        if not batch:
            return
        marks = ", ".join("?" * len(batch[0]))
        connection.executemany(f"INSERT INTO report VALUES ({marks})", batch)
        if values:
            connection.executemany("INSERT INTO stat_value VALUES (?, ?, ?)", values)

    def _fill_postgresql(self, connection, layout):
        with connection.cursor() as cursor:
            columns = "(id, tenant_id, library_id, year, status" + (", \"values\")" if layout == "json" else ")")
            with cursor.copy(f"COPY report {columns} FROM STDIN") as reports_copy:
                for id_, district, library, year, status, figures in reports():
                    row = (id_, district, library, year, status)
                    reports_copy.write_row(row + (json.dumps(figures),) if layout == "json" else row)
            if layout == "narrow":  # the same reports again (deterministic), not all of them held at once
                with cursor.copy("COPY stat_value (report_id, code, value) FROM STDIN") as values_copy:
                    for id_, _, _, _, _, figures in reports():
                        for code, value in figures.items():
                            values_copy.write_row((id_, code, value))


def timed(run, repeat=REPEAT) -> float:
    """p50 in ms over `repeat` runs after one to warm up."""
    run()
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        timings.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(timings), 1)


def measure(kind: str, connection, layout: str) -> dict:
    from app.statistics.forms import edition
    from app.statistics.summary import consolidate

    form = edition("6nk-2021")
    q = QUERIES[kind]
    district, library = 1, 18  # the bench's: the first district's last library
    region = [d for d in range(1, DISTRICTS + 1) if region_of(d) == 1]
    nation = list(range(1, DISTRICTS + 1))

    def rows(sql, params):
        return connection.execute(sql, params).fetchall()

    def one():
        found = rows(q["one"][layout], (district, library, YEAR, YEAR - 1))
        if layout == "json":
            return {year: json.loads(text) for year, text in found}
        out = {}
        for year, code, value in found:
            out.setdefault(year, {})[code] = value
        return out

    def summed(tenants, how):
        if kind == "sqlite":
            params, inside = (*tenants, YEAR), ", ".join("?" for _ in tenants)
        else:
            params, inside = (tenants, YEAR), ""
        if how == "python":  # read every report, sum as the page does
            return consolidate(form, [json.loads(text) for (text,) in rows(q["rows"].format(**{"in": inside}),
                                                                             params)])
        return {code: Decimal(str(total)) for code, total, _ in rows(q[how].format(**{"in": inside}), params)}

    hows = ["python", "json_sql"] if layout == "json" else ["narrow"]
    figures = {"one report with last year": timed(one)}
    for name, tenants, repeat in (("district (18 libraries)", [district], REPEAT),
                                  (f"region ({len(region)} districts)", region, REPEAT),
                                  (f"nation ({DISTRICTS} districts)", nation, 3)):
        for how in hows:
            label = f"{name} sum" + ("" if how == "narrow" else " in Python" if how == "python" else " in SQL")
            figures[label] = timed(lambda: summed(tenants, how), repeat)
    # The same answer either way: the district's sum.
    check = summed([district], hows[-1])
    figures["_check"] = str(check.get("users_total") if isinstance(check, dict) else check.value("users_total"))
    return figures


def main():
    kinds = ["sqlite"]
    with socket.socket() as s:
        s.settimeout(0.5)
        if os.environ.get("STORAGE_ONLY") != "sqlite" and s.connect_ex(("127.0.0.1", 5432)) == 0:
            kinds.append("postgresql")
    if os.environ.get("STORAGE_ONLY") == "postgresql":
        kinds = ["postgresql"]
    print(f"{DISTRICTS} districts × {LIBRARIES} libraries × 3 years, {YEAR} summed")
    results = {}
    for kind in kinds:
        database = Database(kind)
        try:
            for layout in SCHEMA:
                connection, seconds, size = database.build(layout)
                try:
                    figures = measure(kind, connection, layout)
                finally:
                    connection.close()
                results[kind, layout] = figures
                print(f"== {kind} {layout}: built in {seconds:.0f} s, {size / 2**20:.0f} MB")
                for what, ms in figures.items():
                    print(f"   {what:<44}{ms:>10}" + ("" if what.startswith("_") else " ms"))
        finally:
            database.drop()
    return results


if __name__ == "__main__":
    main()
