"""JSON:API 1.1 for the worker-assignment surface: media types, documents, errors, query parsing.

A small layer of our own on Pydantic: the Python JSON:API libraries neither give ``source.pointer``
for validation errors nor target 1.1.
"""

MEDIA_TYPE = "application/vnd.api+json"
# Binti answers ``application/json``: a client that asks for that alone gets it, same bytes.
PLAIN_MEDIA_TYPE = "application/json"
MEDIA_TYPES = (MEDIA_TYPE, PLAIN_MEDIA_TYPE)
