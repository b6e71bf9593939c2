"""The only code that knows HTTP: the app, the request context, routes, and the RFC 9457
and JSON:API renderings."""
