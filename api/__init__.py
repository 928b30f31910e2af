"""The bigmap-kg HTTP service: the SPARQL endpoint, validated uploads and the web pages.

HTTP only: every route is a thin layer over :mod:`bigmap_kg`. Start it with ``bigmap-kg serve``
or build it with :func:`api.app.create_app`.
"""
