"""Server-rendered pages for people: templates, static files, translations."""
