"""What the methodologist reports: the dashboard of a region or district, its charts,
the district passport, and the exports of the record lists.

Every figure is a SQL aggregate read through the ORM session, so the tenancy rule
(app.tenancy.session) scopes it like any other read: no query here filters by tenant
for safety, only to pick the part of the visible network a page is about.
"""
