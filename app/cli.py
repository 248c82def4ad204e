"""Operator commands: `flask tenants add`, `flask users add`, `flask demo load`,
`flask statistics forms`, `flask import`."""
import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import func, or_, select

from .extensions import db
from .tenancy.session import unrestricted

tenants = AppGroup("tenants", help="Regions and districts.")
users = AppGroup("users", help="User accounts.")
demo = AppGroup("demo", help="The demo network.")
tenancy = AppGroup("tenancy", help="The tenant boundary in PostgreSQL.")
statistics = AppGroup("statistics", help="The statistical forms.")


def register(app) -> None:
    from .backup import backup, restore

    for group in (tenants, users, demo, tenancy, statistics, backup, restore, import_file):
        app.cli.add_command(group)


def _find(model, value, *columns):
    """A row by id or by one of its name columns; a clear error when none or several match."""
    value = str(value)
    conditions = [getattr(model, c) == value for c in columns]
    if value.isdigit():
        conditions.append(model.id == int(value))
    rows = db.session.scalars(select(model).where(or_(*conditions))).all()
    if not rows:
        raise click.BadParameter(f"no {model.__tablename__} named or numbered {value!r}")
    if len(rows) > 1:
        raise click.BadParameter(f"{value!r} names {len(rows)} rows of {model.__tablename__}; use the id")
    return rows[0]


@tenants.command("add")
@click.argument("name")
@click.option("--kind", type=click.Choice(["region", "district"]), required=True)
@click.option("--parent", help="The region of a district: its name or id.")
@click.option("--code", help="A short unique code; made from the name when absent.")
@click.option("--locale", type=click.Choice(["ru", "bg", "en"]), default="ru", show_default=True)
@click.option("--time-zone", help="An IANA name such as Asia/Irkutsk; the region's, or by the locale, when absent.")
def tenants_add(name, kind, parent, code, locale, time_zone):
    """Add a region or a district."""
    from .choices import TIME_ZONES, Locale, TenantKind, default_time_zone
    from .models import Tenant

    with unrestricted(db.session):
        parent_row = None
        if kind == "district":
            if not parent:
                raise click.BadParameter("a district needs --parent REGION", param_hint="--parent")
            parent_row = _find(Tenant, parent, "name", "code")
            if parent_row.kind is not TenantKind.region:
                raise click.BadParameter(f"{parent_row.name!r} is not a region", param_hint="--parent")
        elif parent:
            raise click.BadParameter("a region has no parent", param_hint="--parent")
        code = code or _code_for(name)
        parent_id = parent_row.id if parent_row else None
        clash = db.session.scalar(select(Tenant).where(or_(
            Tenant.code == code, (Tenant.name == name) & (Tenant.parent_id == parent_id))))
        if clash:
            raise click.ClickException(f"a tenant with this name or code exists already: {clash.name} ({clash.code})")
        if time_zone is not None and time_zone not in TIME_ZONES:
            raise click.BadParameter(f"one of: {', '.join(TIME_ZONES)}", param_hint="--time-zone")
        zone = time_zone or (parent_row.time_zone if parent_row else default_time_zone(locale))
        tenant = Tenant(name=name, kind=TenantKind[kind], parent=parent_row, code=code,
                        default_locale=Locale[locale], time_zone=zone)
        db.session.add(tenant)
        db.session.commit()
        click.echo(f"added {kind} {name!r} (id {tenant.id}, code {code})")


def _code_for(name: str) -> str:
    import hashlib

    return "T" + hashlib.sha1(name.encode()).hexdigest()[:8].upper()


@users.command("add")
@click.argument("username")
@click.option("--role", required=True, help="Admin, Director, Methodologist, Branch staff or Viewer.")
@click.option("--tenant", help="The region or district the user works for: name or id.")
@click.option("--library", help="The library branch staff work in: name or id.")
@click.option("--password", help="Prompted for when absent.")
@click.option("--email", help="Defaults to USERNAME@localhost.")
@click.option("--first-name", default="", help="Defaults to the user name.")
@click.option("--last-name", default="-")
def users_add(username, role, tenant, library, password, email, first_name, last_name):
    """Add a user account attached to a region, a district or a library."""
    from .security.roles import ADMIN, ROLES

    if role not in ROLES:
        raise click.BadParameter(f"unknown role {role!r}; one of: {', '.join(ROLES)}", param_hint="--role")
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(username, role, tenant=tenant, library=library, password=password,
                           email=email, first_name=first_name or username, last_name=last_name)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    where = f" in {library or tenant}" if role != ADMIN else ""
    click.echo(f"added {role} {username!r}{where}")


def create_user(username, role, *, tenant=None, library=None, password, email=None,
                first_name=None, last_name="-"):
    """Create an account; raises ValueError with a clear message on a wrong value."""
    from flask_babel import force_locale

    from .models import Library, Tenant
    from .security.passwords import password_problem
    from .security.roles import ADMIN
    from .security.users import taken

    with force_locale("en"):  # the operator's commands speak English
        problem = password_problem(password, username)
    if problem:
        raise ValueError(problem)
    if not username.strip():
        raise ValueError("the user name is empty")
    sm = current_app.appbuilder.sm
    email = email or f"{username.strip()}@localhost"
    with unrestricted(db.session):
        clash = taken(username, email)  # sign-in ignores case: so does uniqueness
        if "username" in clash:
            raise ValueError(f"user {username!r} exists already (user names are unique whatever their case)")
        if "email" in clash:
            raise ValueError(f"another user has the e-mail address {email!r} (whatever its case)")
        role_row = sm.find_role(role)
        if role_row is None:
            raise ValueError(f"role {role!r} is not set up")
        tenant_row = library_row = None
        try:
            if library:
                library_row = _find(Library, library, "name")
                tenant_row = library_row.tenant
            elif tenant:
                tenant_row = _find(Tenant, tenant, "name", "code")
        except click.BadParameter as error:
            raise ValueError(error.message) from None
        if role != ADMIN and tenant_row is None:
            raise ValueError("a user other than Admin needs --tenant or --library")
        user = sm.add_user(username, first_name or username, last_name,
                           email, role_row, password=password)
        if not user:
            raise ValueError(f"could not add user {username!r}")
        user.tenant_id = tenant_row.id if tenant_row else None
        user.library_id = library_row.id if library_row else None
        db.session.commit()
        return user


@demo.command("generate")
@click.option("--districts", default=2500, show_default=True)
@click.option("--regions", default=85, show_default=True)
@click.option("--seed", default=1, show_default=True)
def demo_generate(districts, regions, seed):
    """Add a synthetic national network for load tests (deterministic; once)."""
    import time

    from .synthetic import generate

    started = time.perf_counter()
    with unrestricted(db.session):
        added = generate(districts=districts, regions=min(regions, districts), seed=seed)
    if not added:
        click.echo("the synthetic network is there already")
        return
    click.echo(", ".join(f"{n} {table}" for table, n in added.items())
               + f" in {time.perf_counter() - started:.1f} s")


@demo.command("load")
@click.option("--force", is_flag=True,
              help="Add whatever of the demo is missing even though the database holds data.")
def demo_load(force):
    """Build the demo network into an empty database and print the demo accounts.

    A database that holds any region or district is left alone (`make run` calls this on
    every start, and records a user deleted must stay deleted); --force tops it up."""
    from .demo import load
    from .models import Tenant

    with unrestricted(db.session):
        if not force:
            tenants = db.session.scalar(select(func.count()).select_from(Tenant))
            if tenants:
                click.echo(f"The database holds data already ({tenants} regions and districts): "
                           "the demo was not loaded. `flask demo load --force` adds whatever of "
                           "it is missing, deleted records included.")
                return
        accounts, password, generated = load()
    click.echo("Demo accounts (password: %s%s):" % (password, ", generated" if generated else ""))
    for username, role, node in accounts:
        click.echo(f"  {username:<24} {role:<14} {node}")



@tenancy.command("grant-service-role")
@click.argument("role")
@click.option("--password", help="Set the role's password (trust or peer auth needs none).")
def grant_role(role, password):
    """Create ROLE for the service and grant it the data, as the owner (MIGRATION_DATABASE_URL)."""
    from .tenancy.service_role import grant_service_role

    url = current_app.config["MIGRATION_DATABASE_URL"]
    if not url.startswith("postgresql"):
        raise click.ClickException("row-level security and service roles are for PostgreSQL")
    try:
        grant_service_role(url, role, password)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"role {role} may read and write the data; row-level security applies to it")


@statistics.command("forms")
@click.option("--directory", type=click.Path(exists=True, file_okay=False),
              help="Where the form files are (app/statistics/forms when absent).")
def statistics_forms(directory):
    """Check every form file and list the editions, by country and year."""
    from .statistics.forms import FormFileError, editions

    try:
        found = editions(directory)
    except FormFileError as error:
        raise click.ClickException(str(error)) from None
    for edition in found:
        unchecked = sum(not i.verified for i in edition.indicators.values())
        note = f", {unchecked} not checked against the act" if unchecked else ""
        click.echo(f"{edition.code:<16} {edition.country}  from {edition.valid_from}  "
                   f"{len(edition.indicators)} indicators, {len(edition.rules)} rules{note}  "
                   f"{edition.titles['en']}")


@click.command("import")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--type", "kind", required=True,
              help="The record type: library, staff, club, outreach, contest, ..., account.")
@click.option("--tenant", required=True, help="The region or district the records belong to: its name, code or id.")
@click.option("--dry-run", is_flag=True, help="Show what the file would change, and write nothing.")
@click.option("--valid-only", is_flag=True, help="Write the valid rows even when some are refused.")
@click.option("--locale", type=click.Choice(["ru", "bg", "en"]), default="ru", show_default=True,
              help="The language of the messages.")
def import_file(path, kind, tenant, dry_run, valid_only, locale):
    """Import a spreadsheet (XLSX or CSV) of records into a region or district, as its
    director would from the list screen: the same preview, the same checks."""
    from pathlib import Path

    from .i18n import speaking
    from .imports.kinds import import_api
    from .imports.run import ImportFailed, importable, run
    from .models import Tenant
    from .records import record_types
    from .tenancy.scope import Scope
    from .tenancy.session import set_scope

    # By the name of its REST resource: accounts are "account".
    types = {getattr(import_api(t), "resource_name", None) or name: t
             for name, t in record_types().items() if importable(t)}
    if kind not in types:
        raise click.BadParameter(f"one of {', '.join(types)}", param_hint="--type")
    with unrestricted(db.session):
        node = _find(Tenant, tenant, "name", "code")
        ancestors, parent = set(), node.parent
        while parent is not None:
            ancestors.add(parent.id)
            parent = parent.parent
        tree = frozenset({node.id, *(child.id for child in node.children)})
    # The tenant's director's reach: its subtree, nothing outside it.
    set_scope(db.session, Scope(tree, frozenset(ancestors), node.id))
    with speaking(locale):
        try:
            outcome = run(types[kind], Path(path).name, Path(path).read_bytes(), dry_run=dry_run,
                          valid_only=valid_only)
        except ImportFailed:
            raise click.ClickException("the database refused the file's records: nothing was imported") from None
        if outcome.file_error:
            raise click.ClickException(outcome.file_error)
        for problem in outcome.errors:
            click.echo(f"row {problem.row}\t{problem.column}\t{problem.message}")
        click.echo(f"created {outcome.created}, updated {outcome.updated}, unchanged {outcome.unchanged}, "
                   f"refused {outcome.refused}")
        if outcome.written:
            click.echo(f"written: batch {outcome.batch}")
            if outcome.passwords:  # printed this once, kept nowhere
                click.echo("initial passwords (shown once: hand each to its user):")
                for username, password in outcome.passwords.items():
                    click.echo(f"{username}\t{password}")
        elif not dry_run and (outcome.created or outcome.updated):
            click.echo("nothing written: some rows are refused (--valid-only writes the others)")
            raise SystemExit(1)
