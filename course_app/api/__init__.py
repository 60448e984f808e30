"""JSON API, version 1. Each feature adds its endpoints in its own module of this package, on
the one blueprint of `api/blueprint.py`."""
from . import caselog, certificates  # noqa: F401  (their routes register on bp)
from .blueprint import bp  # noqa: F401  (create_app registers it)
