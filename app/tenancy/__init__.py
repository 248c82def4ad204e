"""The tenant boundary: which rows a user sees and may change, in one place."""
from .mixins import LibraryOwned, TenantOwned  # noqa: F401
