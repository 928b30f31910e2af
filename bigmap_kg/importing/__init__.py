"""Bulk import: templates, tables and outside formats to RDF, validated, written as one batch."""
