"""FAB filters that narrow a query to the current user's scope.

The session rule already hides what a user may not see; these narrow choices
further, to the rows a user may place a record in (its tenant, its library).
"""
from flask_appbuilder.models.filters import BaseFilter

from .session import current_scope


class WritableInScope(BaseFilter):
    name = "Writable in scope"
    arg_name = "writable"

    def apply(self, query, value):
        clause = current_scope(self.datamodel.session).write_clause(self.model)
        return query if clause is None else query.filter(clause)
