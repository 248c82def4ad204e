"""The user account, attached to one node of the network: a region, a district or a library."""
import unicodedata

from flask_appbuilder.security.sqla.models import User as FabUser
from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, event, false
from sqlalchemy.orm import relationship


def account_key(value: str | None) -> str | None:
    """A user name or e-mail as sign-in compares it: case-folded in every alphabet."""
    return unicodedata.normalize("NFKC", value or "").strip().casefold() or None


def _inserted_key(column: str):
    """The key of a row inserted as FAB's plain User (its user API does so), which the
    events below, and Account's attributes, do not reach."""
    return lambda context: account_key(context.get_current_parameters().get(column))


class Account(FabUser):
    __tablename__ = "ab_user"
    tenant_id = Column(Integer, ForeignKey("tenant.id", name="fk_ab_user_tenant"), index=True)
    library_id = Column(Integer, ForeignKey("library.id", name="fk_ab_user_library"), index=True)
    locale = Column(String(5))
    username_key = Column(String(128), nullable=False, default=_inserted_key("username"))
    email_key = Column(String(320), default=_inserted_key("email"))
    # Counts password changes and resets: sessions and tokens of an older epoch are ended.
    session_epoch = Column(Integer, nullable=False, server_default="0", default=0)
    # A password given by someone else, to be replaced at the first sign-in (app.security.first_password).
    must_change_password = Column(Boolean, nullable=False, server_default=false(), default=False)
    tenant = relationship("Tenant", foreign_keys=[tenant_id], lazy="selectin")
    library = relationship("Library", foreign_keys=[library_id], lazy="selectin")


# Unique whatever the case (sign-in ignores it); the keys are kept by the events below,
# so every path that creates or renames an account (FAB's screens, its API, the CLI) has them.
Index("uq_ab_user_username_key", Account.__table__.c.username_key, unique=True)
Index("uq_ab_user_email_key", Account.__table__.c.email_key, unique=True)


@event.listens_for(Account, "before_insert")
@event.listens_for(Account, "before_update")
def _fold_keys(mapper, connection, target):
    target.username_key = account_key(target.username)
    target.email_key = account_key(target.email)
