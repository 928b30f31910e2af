"""The JSON / RDF API, one router per resource."""

from api.routers import entries, imports, planner, queries, reports, sparql

ROUTERS = [sparql.router, entries.router, imports.router, queries.router, reports.router, planner.router]
