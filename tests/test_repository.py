"""Package-level checks of the source tree itself."""

from __future__ import annotations

import ast
import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "smolcorpus"


def test_no_file_points_outside_the_repository():
    """A reader of the code has the repository, not the workplace's shared folder: no module cites `../shared/…` or
    the shared design document's sections; tests, benchmarks, scripts, docs and configs may name the shared test
    data (`../shared/data`, which they skip without), nothing else there."""
    root = SRC.parents[1]
    outside = re.compile(r"\.\./shared|ARCHITECTURE\.md")
    outside_but_data = re.compile(r"\.\./shared/(?!data)|ARCHITECTURE\.md")
    files = [(path, outside) for path in sorted(SRC.rglob("*.py"))]
    for folder in ("tests", "benchmarks", "scripts", "docs", "configs"):
        files += [(path, outside_but_data) for path in sorted((root / folder).rglob("*"))
                  if path.suffix in (".py", ".sh", ".md", ".yaml") and path.name != Path(__file__).name]  # fmt: skip
    files += [(root / "README.md", outside_but_data), (root / ".ci" / "run", outside_but_data)]
    found = []
    for path, pattern in files:
        lines = path.read_text().splitlines()
        found += [f"{path.relative_to(root)}:{n}" for n, line in enumerate(lines, start=1) if pattern.search(line)]
    assert not found, found


# docs/architecture.md's layers, bottom (0) to top: a module imports from its own layer or the ones below it
STEP_PACKAGES = {"filters", "readers", "writers", "classifiers", "dedup", "tokenize", "extraction"}
LAYERS = {"runtime": 0, "steps": 2, "pipelines": 3, "report": 4, "publish": 4, "run": 5, "estimate": 5, "demo": 6,
          "cli": 7}  # fmt: skip
SHARED_LAYER = 1  # config, errors, assets, score_keys, provenance, output_claim and the other root modules


def _layer(parts: tuple[str, ...]) -> str:
    """The layer of `smolcorpus.<parts...>`: a step package, a layer of LAYERS by its top name, or `shared`."""
    top = parts[0] if parts else "__init__"
    if top in STEP_PACKAGES:
        return "steps"
    return top if top in LAYERS else "shared"


def _imports() -> list[tuple[str, str, str]]:
    """(importing module's path, its layer, `smolcorpus.x.Name`) for every smolcorpus import in src/, the ones
    inside functions too (the CLI and the run import lazily)."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        parts = path.relative_to(SRC).with_suffix("").parts
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("smolcorpus"):
                found += [(str(path.relative_to(SRC)), _layer(parts), f"{node.module}.{a.name}") for a in node.names]
            elif isinstance(node, ast.Import):
                found += [(str(path.relative_to(SRC)), _layer(parts), a.name) for a in node.names
                          if a.name.startswith("smolcorpus")]  # fmt: skip
    assert found, "no imports parsed"
    return found


def _rank(layer: str) -> int:
    return LAYERS.get(layer, SHARED_LAYER)


def test_no_module_imports_a_layer_above_its_own():
    """Nothing below pipelines/ imports pipelines/, run, estimate, demo or cli; report/ and publish/ never import
    pipelines/ (they read what a run wrote); the one exception is runtime/, which reads errors and the executor's
    settings from the shared layer (the next test)."""
    upward = []
    for path, layer, name in _imports():
        target = _layer(tuple(name.split(".")[1:]))
        if layer == "runtime" and target == "shared":
            continue
        if _rank(target) > _rank(layer) or (layer in ("report", "publish") and target == "pipelines"):
            upward.append(f"{path} ({layer}) imports {name} ({target})")
    assert not upward, upward


def test_runtime_imports_no_step_package_and_no_run_config():
    """runtime/ runs stages whatever they hold: it imports no step package, and of the shared layer only `errors`
    and the executor's settings, from their own modules (`config.executor`, and `is_remote` from `config.base`),
    never the `config` package, which would hand it `RunConfig` and every pipeline's settings."""
    allowed = ("smolcorpus.runtime.", "smolcorpus.errors.", "smolcorpus.config.executor.", "smolcorpus.config.base.")
    wrong = [f"{path} imports {name}" for path, layer, name in _imports()
             if layer == "runtime" and not name.startswith(allowed)]  # fmt: skip
    assert not wrong, wrong


def test_every_module_has_its_test_module():
    """tests/ mirrors src/smolcorpus/ one module to one test module: `x/y.py` → `tests/x/test_y.py`."""
    tests = SRC.parents[1] / "tests"
    missing = []
    for path in sorted(SRC.rglob("*.py")):
        if path.name in ("__init__.py", "__main__.py"):
            continue
        relative = path.relative_to(SRC)
        expected = tests / relative.parent / f"test_{relative.name}"
        if not expected.is_file():
            missing.append(str(expected.relative_to(tests.parent)))
    assert not missing, missing
