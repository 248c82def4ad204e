"""The benchmark: a national network, each role's everyday pages, and throughput.

    make bench            # SQLite, and PostgreSQL when BENCH_DATABASE_URL is set or
                          # the local server answers on 127.0.0.1:5432

Prints a table per database and writes bench/results.json. Latency is measured in
process (the Flask test client: the app's own time, no network); throughput under
gunicorn with 2 workers, driven from other processes over 127.0.0.1.
"""
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from multiprocessing import Pool
from pathlib import Path

from sqlalchemy import create_engine, event, select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DISTRICTS = int(os.environ.get("BENCH_DISTRICTS", 2500))
REPEAT = int(os.environ.get("BENCH_REPEAT", 30))
SECONDS = int(os.environ.get("BENCH_SECONDS", 30))
PASSWORD = "Bench-password-2026"
USERS = {  # username: (role, node)
    "bench.branch": ("Branch staff", "library"),
    "bench.district": ("Director", "NAT-D0001"),
    "bench.region": ("Methodologist", "NAT-R01"),
    "bench.admin": ("Admin", None),
}
# The XLSX export measured: a region's staff, about 1,200 rows.
EXPORT = ("bench.region", "/staffview/export/xlsx")
# What a visitor who is not signed in opens: a district's public pages (app/public).
VISITOR = "visitor"
PUBLIC_PAGES = ["/public/NAT-D0001/", "/public/NAT-D0001/events"]
# The statistics: the branch user's report of last year (the entry screen, and its submission
# and approval, timed as POSTs of the workflow's steps), the year's summaries.
STAT_YEAR = time.localtime().tm_year - 1
STEPS = (("bench.branch", "submit"), ("bench.district", "approve"))


def databases() -> dict[str, str]:
    found = {"sqlite": f"sqlite:///{ROOT / 'instance' / 'bench' / f'national-{DISTRICTS}.db'}"}
    only = os.environ.get("BENCH_ONLY")  # e.g. BENCH_ONLY=sqlite
    url = os.environ.get("BENCH_DATABASE_URL")
    if not url and only in (None, "", "postgresql") and _listening("127.0.0.1", 5432):
        url = "postgresql://postgres@127.0.0.1:5432/libnet_bench"
        subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-c",
                        "CREATE DATABASE libnet_bench"], capture_output=True)
    if url:
        found["postgresql"] = url
    return {k: v for k, v in found.items() if not only or k == only}


def _listening(host, port) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def prepare(url: str):
    """Migrate, generate the network once, create the bench accounts; returns the app."""
    from flask_migrate import upgrade

    from app import create_app
    from app.cli import create_user
    from app.extensions import db
    from app.models import Library, Tenant
    from app.security.models import Account
    from app.synthetic import generate
    from app.tenancy.session import unrestricted
    from config import database_url

    url = database_url(url)
    Path(ROOT / "instance" / "bench").mkdir(parents=True, exist_ok=True)
    service = url
    with create_app({"SQLALCHEMY_DATABASE_URI": url, "MIGRATION_DATABASE_URL": url}).app_context():
        upgrade()
    if url.startswith("postgresql"):  # as in production: RLS applies to the service role
        from app.tenancy.service_role import grant_service_role

        grant_service_role(url, "libnet_bench_service")
        service = url.replace("postgres@", "libnet_bench_service@", 1)
    # The public pages' limit per address would refuse the repeated requests of one client:
    # the figures are the pages' own (the limiter's count is still in them).
    config = {"SQLALCHEMY_DATABASE_URI": service, "MIGRATION_DATABASE_URL": url,
              "WTF_CSRF_ENABLED": False, "PUBLIC_RATE_LIMIT": "1000000 per minute"}
    # The network is loaded as the owner (an operator's job); pages are measured as the service.
    with create_app({**config, "SQLALCHEMY_DATABASE_URI": url}).app_context(), unrestricted(db.session):
        started = time.perf_counter()
        added = generate(districts=DISTRICTS, regions=min(85, DISTRICTS))
        if added:
            print(f"  generated {sum(added.values())} rows in {time.perf_counter() - started:.0f} s")
        for username, (role, node) in USERS.items():
            if db.session.scalar(select(Account.id).where(Account.username == username)):
                continue
            if node == "library":
                library = db.session.scalar(select(Library.id).join(Tenant, Tenant.id == Library.tenant_id)
                                            .where(Tenant.code == "NAT-D0001").order_by(Library.id.desc()))
                create_user(username, role, library=library, password=PASSWORD)
            else:
                create_user(username, role, tenant=node, password=PASSWORD)
    return create_app(config), config


def pages(app, client, username, nodes) -> list[str]:
    """The pages a user of the role opens every day, that exist in this build."""
    from app.records import record_types

    urls = []
    summary = f"/stat-summary/{{}}?year={STAT_YEAR}"
    if username == "bench.branch":  # the entry screen, with last year's figures beside
        urls.append(f"/statreportview/edit/{nodes['report']}")
    if username == "bench.district":
        urls.append(summary.format(nodes["NAT-D0001"]))
    if username == "bench.region":  # the summary page, with its table of figures, and the workbook
        urls += [summary.format(nodes["NAT-R01"]), f"/stat-summary/{nodes['NAT-R01']}/xlsx?year={STAT_YEAR}"]
    if username == "bench.admin":  # the national one: what the page gives Admin without an id
        urls += [f"/stat-summary/?year={STAT_YEAR}", f"/stat-summary/xlsx?year={STAT_YEAR}"]
    for resource in (t.name for t in record_types().values() if t.api is not None):
        view = f"/{resource.replace('_', '')}view"
        urls += [f"{view}/list/", f"/api/v1/{resource}/"]
    first = client.get("/api/v1/club/?q=(page_size:1)").get_json()
    if first and first.get("result"):
        pk = first["result"][0]["id"]
        urls += [f"/clubview/show/{pk}", f"/clubview/edit/{pk}"]
    urls += ["/dashboard/", "/dashboard/xlsx"]
    if username in ("bench.district", "bench.region"):  # the reports of the record types
        urls += [f"{report.route_base}/" for t in record_types().values() for report in t.reports]
    if username == "bench.admin":  # the same region and district as their own users see them
        urls += [f"/dashboard/{nodes['NAT-R01']}", f"/dashboard/{nodes['NAT-D0001']}"]
        # A list filtered by one of 2,500 districts: the filter's field searches the server.
        urls.append(f"/libraryview/list/?_flt_0_tenant={nodes['NAT-D0001']}")
    if username == "bench.region":  # a district opened from the region's dashboard
        urls += [f"/dashboard/{nodes['NAT-D0001']}"]
    if username == EXPORT[0]:
        urls.append(EXPORT[1])
    return urls


def stat_report(app, owner) -> dict:
    """The branch user's report of STAT_YEAR, its region's size, and a way to put the report
    back to a draft (as the owner, past the workflow: the bench's own reset)."""
    from sqlalchemy import func

    from app.extensions import db
    from app.models import Tenant
    from app.records.stat_report import StatReport, StatReportStep
    from app.security.models import Account
    from app.tenancy.session import unrestricted

    with app.app_context(), unrestricted(db.session):
        library = db.session.scalar(select(Account.library_id).where(Account.username == "bench.branch"))
        report = db.session.scalar(select(StatReport.id).where(StatReport.library_id == library,
                                                               StatReport.year == STAT_YEAR))
        region = db.session.scalar(select(Tenant.id).where(Tenant.code == "NAT-R01"))
        districts = db.session.scalar(select(func.count(Tenant.id)).where(Tenant.parent_id == region))
        last_step = db.session.scalar(select(func.max(StatReportStep.id)).where(StatReportStep.report_id == report))
    assert report is not None, "no statistical report of the bench's library: generate the reports"

    def reset():
        with owner.begin() as connection:  # a draft again, without the bench's own steps
            connection.execute(text("UPDATE stat_report SET status = 'draft' WHERE id = :id"), {"id": report})
            connection.execute(text("DELETE FROM stat_report_step WHERE report_id = :id AND id > :last"),
                               {"id": report, "last": last_step})

    return {"id": report, "districts": districts, "reset": reset}


def steps(app, report: dict, statements: list) -> list[dict]:
    """Submitting the report and approving it, REPEAT times after 3 to warm up: a draft again
    before each round, so that every timing is a step the report really takes."""
    clients = {}
    for username, _ in STEPS:
        clients[username] = app.test_client()
        assert clients[username].post("/login/", data={"username": username, "password": PASSWORD}).status_code == 302
    timings = {step: [] for _, step in STEPS}
    queries = {step: [] for _, step in STEPS}
    url = f"/statreportview/step/{report['id']}"
    try:
        for i in range(REPEAT + 3):
            report["reset"]()
            for username, step in STEPS:
                statements.clear()
                started = time.perf_counter()
                response = clients[username].post(url, data={"step": step})
                elapsed = time.perf_counter() - started
                assert response.status_code == 302, (step, response.status_code)
                with clients[username].session_transaction() as session:  # the step's own message
                    flashed = session.pop("_flashes", [])
                assert flashed and flashed[-1][0] == "success", (step, flashed)
                if i >= 3:
                    timings[step].append(elapsed * 1000)
                    queries[step].append(len(statements))
    finally:
        report["reset"]()
    rows = []
    for username, step in STEPS:
        series = sorted(timings[step])
        rows.append({"user": username, "url": f"POST {url} ({step})", "status": 302,
                     "p50_ms": round(statistics.median(series), 1),
                     "p95_ms": round(series[int(len(series) * 0.95) - 1], 1),
                     "queries": max(queries[step]), "bytes": 0, "step": step})
    return rows


def measure(app, engine, owner) -> list[dict]:
    from app.extensions import db
    from app.models import Tenant
    from app.tenancy.session import unrestricted

    with app.app_context(), unrestricted(db.session):
        nodes = dict(db.session.execute(select(Tenant.code, Tenant.id).where(
            Tenant.code.in_(["NAT-R01", "NAT-D0001"]))).all())
        regions = len(db.session.scalars(select(Tenant.id).where(Tenant.parent_id.is_(None))).all())
    report = stat_report(app, owner)
    report["reset"]()  # the entry screen opens a draft
    nodes["report"] = report["id"]
    statements = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(1))
    rows = []
    for username in USERS:
        client = app.test_client()
        response = client.post("/login/", data={"username": username, "password": PASSWORD})
        assert response.status_code == 302, username
        rows += [timed(client, username, url, statements) for url in pages(app, client, username, nodes)]
        if username == "bench.admin":  # the first view after a write: the network's figures computed anew
            rows.append({**timed(client, username, "/dashboard/", statements,
                                 before=lambda: app.extensions.get("libnet.network_figures", {}).clear()),
                         "url": "/dashboard/ (after a write)"})
    visitor = app.test_client()  # signs in to nothing
    rows += [timed(visitor, VISITOR, url, statements) for url in PUBLIC_PAGES]
    rows += steps(app, report, statements)
    for row in rows:
        if row["url"].startswith("/stat-summary/") and "?year=" in row["url"] and row["user"] == "bench.region":
            row["districts"] = report["districts"]
        if row["url"].startswith("/stat-summary/?year=") and row["user"] == "bench.admin":
            row["regions"] = regions
    return rows


def timed(client, username: str, url: str, statements: list, before=None) -> dict:
    """One page's figures: REPEAT requests after 3 to warm up; `before` runs before each."""
    timings, sizes, queries, status = [], [], [], None
    for i in range(REPEAT + 3):
        if before is not None:
            before()
        statements.clear()
        started = time.perf_counter()
        response = client.get(url)
        body = response.get_data()
        elapsed = time.perf_counter() - started
        if i >= 3:  # warm-up first
            timings.append(elapsed * 1000)
            sizes.append(len(body))
            queries.append(len(statements))
        status = response.status_code
    timings.sort()
    row = {"user": username, "url": url, "status": status,
           "p50_ms": round(statistics.median(timings), 1),
           "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 1),
           "queries": max(queries), "bytes": max(sizes)}
    if "/export/" in url:
        from io import BytesIO

        from openpyxl import load_workbook

        sheet = load_workbook(BytesIO(body), read_only=True).active
        row["rows"] = sum(1 for _ in sheet.iter_rows()) - 1  # less the header
    return row


def _client_loop(args):
    port, seconds = args
    import http.client
    import urllib.parse

    import re

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/login/")
    response = conn.getresponse()
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', response.read())[1].decode()
    cookie = response.getheader("Set-Cookie", "").split(";")[0]
    body = urllib.parse.urlencode({"username": "bench.district", "password": PASSWORD, "csrf_token": token})
    conn.request("POST", "/login/", body, {"Content-Type": "application/x-www-form-urlencoded",
                                           "Cookie": cookie})
    response = conn.getresponse()
    response.read()
    cookie = response.getheader("Set-Cookie", "").split(";")[0] or cookie
    done = errors = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        conn.request("GET", "/clubview/list/", headers={"Cookie": cookie})
        response = conn.getresponse()
        response.read()
        done, errors = done + 1, errors + (response.status != 200)
    return done, errors


def throughput(config) -> dict:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
           "MIGRATION_DATABASE_URL": config["MIGRATION_DATABASE_URL"]}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "2", "--bind",
                               f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
                              cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if _listening("127.0.0.1", port):
                break
            time.sleep(0.2)
        time.sleep(1)
        with Pool(4) as pool:
            results = pool.map(_client_loop, [(port, SECONDS)] * 4)
    finally:
        server.terminate()
        server.wait(timeout=30)
    done, errors = sum(r[0] for r in results), sum(r[1] for r in results)
    return {"url": "/clubview/list/", "user": "bench.district", "seconds": SECONDS,
            "requests": done, "errors": errors, "per_second": round(done / SECONDS, 1)}


IMPORT_ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", 10_000))


def imports(app) -> dict:
    """A district director's spreadsheet of IMPORT_ROWS staff over the REST API: its
    preview, its import, and the same file again (nothing to change); then undone."""
    import io

    import openpyxl
    from sqlalchemy import func

    from app.extensions import db
    from app.models import Library, Tenant
    from app.tenancy.session import unrestricted

    with app.app_context(), unrestricted(db.session):
        libraries = db.session.scalars(select(Library.name).join(Tenant, Tenant.id == Library.tenant_id)
                                       .where(Tenant.code == "NAT-D0001").order_by(func.lower(Library.name))).all()
    book = openpyxl.Workbook()
    book.active.append(["ФИО", "Должность", "Библиотека", "Образование", "Год рождения", "Ставка",
                        "Дата приёма на работу"])
    for i in range(IMPORT_ROWS):
        book.active.append([f"Импортова Анна {i:05d}", "Библиотекарь", libraries[i % len(libraries)],
                            "Высшее библиотечное", 1960 + i % 40, 0.5, "01.03.2015"])
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue()
    client = app.test_client()
    token = client.post("/api/v1/security/login", json={
        "username": "bench.district", "password": PASSWORD, "provider": "db"}).get_json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    figures = {"rows": IMPORT_ROWS, "bytes": len(data)}
    for step, dry in (("preview_s", "true"), ("import_s", "false"), ("again_s", "false")):
        started = time.perf_counter()
        response = client.post(f"/api/v1/staff/import?dry_run={dry}", headers=headers,
                               data={"file": (io.BytesIO(data), "staff.xlsx")}, content_type="multipart/form-data")
        figures[step] = round(time.perf_counter() - started, 1)
        answer = response.get_json()
        assert response.status_code == 200 and not answer["refused"], answer
        if answer["batch"]:  # what the import wrote (the preview and the same file again write nothing)
            figures["batch"] = answer["batch"]
    from app.imports.run import undo

    with app.test_request_context(), unrestricted(db.session):
        started = time.perf_counter()
        undo(figures.pop("batch"))  # the next run starts as this one did
        figures["undo_s"] = round(time.perf_counter() - started, 1)
    return figures


def targets(figures: list[dict], load: dict, imported: dict, database: str = "postgresql") -> list[tuple[str, str, bool]]:
    """Each target of the benchmark: what it asks, what was measured, met or not."""
    at = {(row["user"], row["url"]): row for row in figures}
    # Every HTML page but the admin's national dashboard, which has its own target, and the
    # national summary (a row per region in four tables, the form's 88 lines: its size is shown).
    national = at["bench.admin", "/dashboard/"]
    html = [row for row in figures if not row["url"].startswith(("/api/", "POST ")) and "xlsx" not in row["url"]
            and row is not national and not (row["user"] == "bench.admin" and row["url"].startswith("/stat-summary/"))]
    lists = [row for row in figures if row["url"].endswith("/list/")]
    district_lists = [row for row in lists if row["user"] == "bench.district"]
    slowest = max(district_lists, key=lambda row: row["p50_ms"])
    largest = max(html, key=lambda row: row["bytes"])
    admin_region = next(row for row in figures if row["user"] == "bench.admin"
                        and row["url"].startswith("/dashboard/") and row["url"][11:].isdigit())
    region = at["bench.region", "/dashboard/"]
    ratio = region["p50_ms"] / admin_region["p50_ms"]
    queries = {row["queries"] for row in lists}
    export = next(row for row in figures if "/export/" in row["url"])
    public = at[VISITOR, PUBLIC_PAGES[0]]

    def stat(user, prefix):  # the bench's own rows, which name the year
        return next(row for row in figures if row["user"] == user and row["url"].startswith(prefix)
                    and (prefix != "/stat-summary/" or "?year=" in row["url"]))

    entry = stat("bench.branch", "/statreportview/edit/")
    district_summary = stat("bench.district", "/stat-summary/")
    region_summary = stat("bench.region", "/stat-summary/")
    national_summary = stat("bench.admin", "/stat-summary/")
    posted = {row["step"]: row for row in figures if "step" in row}

    def ms(row):
        return f"{row['p50_ms']} ms, {row['queries']} statements, {row['bytes'] / 1024:.1f} KB"

    return [
        ("entry screen with last year (branch) p50 <= 50 ms", ms(entry),
         entry["p50_ms"] <= 50 and entry["status"] == 200),
        ("district summary p50 <= 50 ms", ms(district_summary),
         district_summary["p50_ms"] <= 50 and district_summary["status"] == 200),
        (f"region summary ({region_summary['districts']} districts) p50 <= 300 ms", ms(region_summary),
         region_summary["p50_ms"] <= 300 and region_summary["status"] == 200),
        # Without an id, Admin's summary page is the network's: every region's figures summed.
        (f"national summary (admin, {national_summary.get('regions', '?')} regions) p50 <= 5 s"
         + (" (target on PostgreSQL)" if database != "postgresql" else ""), ms(national_summary),
         national_summary["p50_ms"] <= 5000 and national_summary["status"] == 200),
        *[(f"{step} a statistical report p50 <= 50 ms", f"{row['p50_ms']} ms, {row['queries']} statements",
           row["p50_ms"] <= 50) for step, row in posted.items()],
        ("national dashboard (admin, 85 regions) <= 200 ms, <= 80 KB", f"{national['p50_ms']} ms, "
         f"{national['bytes'] / 1024:.1f} KB; after a write {at['bench.admin', '/dashboard/ (after a write)']['p50_ms']}"
         " ms", national["p50_ms"] <= 200 and national["bytes"] <= 80 * 1024),

        ("district list page p50 <= 15 ms", f"{slowest['p50_ms']} ms ({slowest['url']})", slowest["p50_ms"] <= 15),
        ("page HTML <= 80 KB", f"{largest['bytes'] / 1024:.1f} KB ({largest['user']} {largest['url']})",
         largest["bytes"] <= 80 * 1024),
        ("SQL per list page: a small constant", f"{min(queries)}-{max(queries)} statements", max(queries) <= 15),
        ("30-district region dashboard <= 150 ms", f"{region['p50_ms']} ms", region["p50_ms"] <= 150),
        ("region user / admin on that dashboard <= 1.1", f"{ratio:.2f} ({region['p50_ms']} / "
         f"{admin_region['p50_ms']} ms)", ratio <= 1.1),
        ("XLSX export of about 1,000 rows", f"{export.get('rows')} rows in {export['p50_ms']} ms", True),
        ("public directory page p50 <= 10 ms", f"{public['p50_ms']} ms, {public['queries']} statements",
         public["p50_ms"] <= 10 and public["status"] == 200),
        (">= 100 list pages/s, no errors", f"{load['per_second']}/s, {load['errors']} errors",
         load["per_second"] >= 100 and load["errors"] == 0),
        (f"import preview of {imported['rows']:,} rows <= 10 s", f"{imported['preview_s']} s",
         imported["preview_s"] <= 10),
        (f"import of {imported['rows']:,} rows <= 20 s", f"{imported['import_s']} s (the same file again: "
         f"{imported['again_s']} s; undone in {imported['undo_s']} s)", imported["import_s"] <= 20),
    ]


def main():
    results = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                           "platform": platform.platform()},
               "districts": DISTRICTS, "databases": {}}
    for name, url in databases().items():
        print(f"== {name}")
        app, config = prepare(url)
        with app.app_context():  # not around the requests: each must get its own context
            from app.extensions import db

            engine = db.engine
        owner = create_engine(config["MIGRATION_DATABASE_URL"])
        try:
            figures = measure(app, engine, owner)
        finally:
            owner.dispose()
        print(f"{'user':<16}{'url':<46}{'status':>7}{'p50 ms':>9}{'p95 ms':>9}{'SQL':>5}{'KB':>8}")
        for row in figures:
            print(f"{row['user']:<16}{row['url'][:45]:<46}{row['status']:>7}{row['p50_ms']:>9}"
                  f"{row['p95_ms']:>9}{row['queries']:>5}{row['bytes'] / 1024:>8.1f}")
        load = throughput(config)
        imported = imports(app)
        print(f"throughput: {load['per_second']} list pages/s ({load['requests']} in "
              f"{load['seconds']} s, {load['errors']} errors), gunicorn 2 workers")
        checks = targets(figures, load, imported, name)
        for what, measured, met in checks:
            print(f"  {'met' if met else 'MISSED':<7}{what:<58}{measured}")
        results["databases"][name] = {"pages": figures, "throughput": load, "import": imported,
                                      "targets": [dict(zip(("target", "measured", "met"), c)) for c in checks]}
    out = ROOT / "bench" / "results.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1))
    print(f"written {out}")


if __name__ == "__main__":
    main()
