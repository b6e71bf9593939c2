"""JSON:API 1.1 for the worker-assignment surface: media types, documents, errors, pagination."""

MEDIA_TYPE = "application/vnd.api+json"
