"""The partner machinery of the API: who is calling and what it may see, on top of the generic `config.api`.

It lives in `academies`, the lowest domain app, because every piece of it depends on what `academies` owns
(organisations, their API keys, the scope policy and its actors, idempotency records, tombstones):

- `authentication`: `Authorization: Api-Key <key>` (and its OpenAPI security scheme, `schema`);
- `scoping`: the caller (`Caller`, `caller_of`) and the one narrowing of a queryset to its scope;
- `viewsets`, `fields`, `permissions`, `throttling`: the scoped base viewsets, related fields whose choices are
  the caller's scope, who may call at all, and the per-key rate limit (on `config.api.throttling`'s counter);
- `idempotency`: `Idempotency-Key` on POST, and the purge of records past their retention;
- `tombstones`: the `deleted/` half of a delta sync (the tombstone models are in `academies.tombstones`).

The generic pieces (pagination, parsers, renderers, conditional requests, query-parameter checks, the exception
handler, the fixed-window counter) stay in `config.api`, which imports no app.
"""
