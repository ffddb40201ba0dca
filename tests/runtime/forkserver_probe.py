"""What a fresh pool worker has from its forkserver; a module of its own that imports nothing else, so that calling
these in a worker (which imports this module) changes nothing they report."""

import sys


def imported_in_this_process(modules: list[str]) -> list[str]:
    """Of `modules`, those already imported here."""
    return [name for name in modules if name in sys.modules]


def dependency_checks_done_in_this_process() -> int:
    """How many of datatrove's distribution checks this process has the answer of (0 when datatrove is not
    imported)."""
    module = sys.modules.get("datatrove.utils._import_utils")
    return module._is_distribution_available.cache_info().currsize if module else 0


def cached_calls(module: str, function: str) -> int:
    """How many results `module.function` (a functools cache) holds in this process; -1 when the module is not
    imported."""
    loaded = sys.modules.get(module)
    return getattr(loaded, function).cache_info().currsize if loaded else -1
