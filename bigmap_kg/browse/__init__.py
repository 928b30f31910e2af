"""The data behind the catalogue pages of the service.

D5.1 (section 2.5) asks for the experimental matrix as "a clickable, interactive database" with
the cell index integrated. These modules shape the graph for that: the matrix rows and their
filters (:mod:`.matrix`, :mod:`.matrix_filters`), and one page per technique, instrument, cell
and partner (:mod:`.technique`, :mod:`.instrument`, :mod:`.cell`, :mod:`.partner`). The SPARQL
is in ``queries/pages/{matrix,technique,instrument,cell,partner}-*.rq``; values are bound, never
formatted into the text. Nothing here knows about HTTP.
"""
