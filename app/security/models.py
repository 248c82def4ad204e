"""The user account, attached to one node of the network: a region, a district or a library."""
from flask_appbuilder.security.sqla.models import User as FabUser
from sqlalchemy import Column, ForeignKey, Integer, String
from sqlalchemy.orm import relationship


class Account(FabUser):
    __tablename__ = "ab_user"
    tenant_id = Column(Integer, ForeignKey("tenant.id", name="fk_ab_user_tenant"), index=True)
    library_id = Column(Integer, ForeignKey("library.id", name="fk_ab_user_library"), index=True)
    locale = Column(String(5))
    tenant = relationship("Tenant", foreign_keys=[tenant_id], lazy="selectin")
    library = relationship("Library", foreign_keys=[library_id], lazy="selectin")
