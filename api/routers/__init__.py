"""The JSON / RDF API, one router per resource."""

from api.routers import entries, planner, queries, reports, sparql

ROUTERS = [sparql.router, entries.router, queries.router, reports.router, planner.router]
