"""Generic machinery of the API: pagination, parsers, renderers, conditional requests, query checks, errors and the
rate-limit counter. Who is calling and what they may see is `academies.partners`'s; nothing here imports an app."""
