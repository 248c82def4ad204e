"""The public pages: what a region or district publishes about its libraries, for anyone,
without signing in (docs/public.md).

    /public/<code>/             its libraries: contacts, hours, clubs, outreach points
    /public/<code>/events       its planned events from today on (the calendar)
    /public/<code>/events.ics   the same as an iCalendar feed
    /public/<code>/events.json  the same as JSON

They read as a visitor (app.tenancy.session.as_visitor: the tenant's subtree, no staff, no
write), speak the tenant's language, may be framed by the sites the tenant names, are
cacheable (ETag, max-age) and set no cookie, and are limited per client address
(PUBLIC_RATE_LIMIT). An unknown code and a tenant whose pages are off answer the same 404.
"""
PREFIX = "/public/"


def is_public(path: str) -> bool:
    return path.startswith(PREFIX)


def init_app(app, appbuilder) -> None:
    """After FAB's security manager: its rate limiter counts the visitors too."""
    from flask_limiter.util import get_remote_address

    from .views import blueprint

    app.register_blueprint(blueprint)
    # Shared: one count per address across every public page, not one per page.
    appbuilder.sm.limiter.shared_limit(app.config["PUBLIC_RATE_LIMIT"], "public",
                                       key_func=get_remote_address)(blueprint)
