"""Bringing spreadsheets in: every record type with a natural key, and user accounts, is
imported from XLSX or CSV, from its list screen (app/imports/views.py), the REST API and
`flask import`.

files.py reads an upload (and refuses what is no ordinary spreadsheet), fields.py names
its columns and reads its cells, kinds.py describes what a type's rows become (accounts.py,
for accounts), run.py matches, checks and writes the rows in one transaction and undoes an
import, template.py writes the spreadsheet to fill."""
