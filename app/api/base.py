"""The base of every record API: the same rules as the screens, JSON answers for
every refusal, and relation fields that accept only rows the user can see."""
from flask_appbuilder import ModelRestApi
from flask_appbuilder.api.convert import Model2SchemaConverter
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext as _
from marshmallow import ValidationError
from marshmallow_sqlalchemy import field_for
from marshmallow_sqlalchemy.fields import Related
from sqlalchemy.exc import NoResultFound, SQLAlchemyError

from app.dependents import dependents_message
from app.tenancy.session import NotPermitted, OutOfScope, assert_writable
from app.validation import problems


class ExistingRelated(Related):
    """A relation field that refers to an existing, visible row: an unknown id and a
    foreign one get the same answer, and neither creates a row."""

    def _deserialize(self, value, *args, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise ValidationError(_("Enter the id of an existing record."))
        try:
            return self._get_existing_instance(self.related_model, {self.related_keys[0].key: value})
        except (NoResultFound, ValueError, TypeError):
            raise ValidationError(_("No such record.")) from None


class Converter(Model2SchemaConverter):
    def _column2enum(self, datamodel, column):
        field = super()._column2enum(datamodel, column)
        field.allow_none = datamodel.is_nullable(column.name)  # e.g. an entry not yet judged
        return field

    def _column2relation(self, datamodel, column, nested=False, parent_schema_name=None):
        if nested:
            return super()._column2relation(datamodel, column, nested, parent_schema_name)
        field = field_for(datamodel.obj, column.name, field_class=ExistingRelated)
        field.required = not datamodel.is_nullable(column.name)
        return field


class Refused(Exception):
    def __init__(self, status: int, messages):
        super().__init__(messages)
        self.status, self.messages = status, messages


class RecordApi(ModelRestApi):
    model = None
    allow_browser_login = True
    model2schemaconverter = Converter

    def __init__(self):
        self.datamodel = SQLAInterface(self.model)
        super().__init__()

    def _check(self, item):
        if item.id is not None:
            assert_writable(self.datamodel.session, item)
        found = problems(self.model, {k: getattr(item, k, None) for k in self.add_columns
                                      if "." not in k}, item.id)
        if found:
            raise Refused(422, found)

    pre_add = pre_update = _check

    def pre_delete(self, item):
        assert_writable(self.datamodel.session, item)
        message = dependents_message(self.datamodel.session, item)
        if message:
            raise Refused(409, message)

    def _answer(self, handler, *args):
        try:
            return handler(*args)
        except Refused as refusal:
            self.datamodel.session.rollback()
            return self.response(refusal.status, message=refusal.messages)
        except OutOfScope:
            self.datamodel.session.rollback()
            return self.response_404()
        except NotPermitted as refusal:
            self.datamodel.session.rollback()
            return self.response(403, message=str(refusal))
        except SQLAlchemyError:
            self.datamodel.session.rollback()
            return self.response_422(message=_("The database refused the change."))

    def post_headless(self):
        return self._answer(super().post_headless)

    def put_headless(self, pk):
        return self._answer(super().put_headless, pk)

    def delete_headless(self, pk):
        return self._answer(super().delete_headless, pk)
