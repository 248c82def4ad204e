"""How long a record list's export takes: 10,000 clubs of one district, as XLSX and CSV.

    .venv/bin/python bench/export.py [ROWS]

Builds a throwaway SQLite database (the demo network plus ROWS clubs in Залегощенский
район), then exports /clubview/export/<fmt> as the district's director, the way a browser
would: through the whole request, the tenancy rule and the streamed response included.
"""
import io
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.tenancy.session import unrestricted  # noqa: E402

PASSWORD = "Bench-password-2026"
DISTRICT = "Залегощенский район"


def build(url: str, rows: int):
    os.environ["DEMO_PASSWORD"] = PASSWORD
    config = {"SQLALCHEMY_DATABASE_URI": url, "MIGRATION_DATABASE_URL": url,
              "TESTING": True, "WTF_CSRF_ENABLED": False}
    with create_app(config).app_context():
        upgrade()
    app = create_app(config)  # now with the tables: roles and permissions are set up
    with app.app_context():
        from app.demo import load
        from app.models import Club, Library, Tenant
        from app.choices import Audience

        with unrestricted(db.session):
            load()
            libraries = db.session.scalars(select(Library).join(Library.tenant)
                                           .where(Tenant.name == DISTRICT)).all()
            audiences = list(Audience)
            db.session.execute(insert(Club), [
                {"tenant_id": lib.tenant_id, "library_id": lib.id, "name": f"Клуб № {i}",
                 "audience": audiences[i % len(audiences)], "members": i % 40,
                 "founded_year": 1990 + i % 35, "active": True}
                for i in range(rows) for lib in [libraries[i % len(libraries)]]])
            db.session.commit()
    return app


def main(rows: int = 10_000) -> None:
    with tempfile.TemporaryDirectory() as directory:
        app = build(f"sqlite:///{Path(directory) / 'bench.db'}", rows)
        client = app.test_client()
        client.post("/login/", data={"username": "zal.director", "password": PASSWORD})
        for fmt in ("xlsx", "csv"):
            start = time.perf_counter()
            response = client.get(f"/clubview/export/{fmt}")
            body = response.get_data()  # the stream, to its end
            seconds = time.perf_counter() - start
            assert response.status_code == 200, response.status_code
            if fmt == "xlsx":
                from openpyxl import load_workbook

                exported = sum(1 for _ in load_workbook(io.BytesIO(body), read_only=True).active.rows) - 1
            else:
                exported = body.decode("utf-8-sig").count("\n") - 1
            print(f"{fmt}: {exported} rows, {len(body) / 1024:.0f} KiB, {seconds:.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
