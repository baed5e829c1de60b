"""The API's operations as drf-spectacular documents them, from the generator's public pieces."""

from drf_spectacular.generators import SchemaGenerator


def schema_views(generator: SchemaGenerator):
    """Each operation as (path, path regex, method, view instance), the path as the schema writes it."""
    enumerator = generator.endpoint_inspector_cls(generator.patterns, generator.urlconf)
    for path, path_regex, method, callback in enumerator.get_api_endpoints():
        view = generator.create_view(callback, method)
        yield generator.coerce_path(path, method, view), path_regex, method, view
