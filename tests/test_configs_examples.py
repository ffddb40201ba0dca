"""The example configs in configs/ stay valid, run as shipped on what a fresh clone and the demo provide (or say in
their first line what to put where), and the configuration reference (docs/config.md, generated from the models)
is current and describes every key."""

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from smolcorpus.config import MixConfig, RunConfig, validate_config

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "configs").glob("*.yaml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_config_validates(path, tmp_path, monkeypatch):
    """Without the demo: its outputs (out/demo/...) stand in as an empty folder; the rest resolves from the root."""
    monkeypatch.chdir(ROOT)

    def stand_in(node):
        if isinstance(node, dict):
            return {key: stand_in(value) for key, value in node.items()}
        if isinstance(node, list):
            return [stand_in(value) for value in node]
        return str(tmp_path) if isinstance(node, str) and node.startswith("out/demo/") else node

    data = stand_in(yaml.safe_load(path.read_text()))
    config = validate_config(data, source=str(path))
    assert config.pipeline == data["pipeline"]


def config_reference():
    """scripts/config_reference.py, loaded as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("config_reference", ROOT / "scripts" / "config_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_config_reference_is_generated_from_the_models():
    """docs/config.md is what scripts/config_reference.py writes now: a changed field or description without the
    page regenerated fails here."""
    assert (ROOT / "docs" / "config.md").read_text() == config_reference().render(), (
        "docs/config.md is stale: run .venv/bin/python scripts/config_reference.py"
    )


@pytest.mark.parametrize("model", [RunConfig, MixConfig], ids=["run", "mix"])
def test_every_config_key_is_described_in_the_reference(model):
    """Every key of every section has a description, and docs/config.md lists it (sections under a map or a list
    are keyed `<name>` or `[]`)."""
    sections = config_reference().sections(model, "", None)
    rows = [row for _key, _model, section_rows in sections for row in section_rows]
    assert len(rows) == len({key for key, *_ in rows}) > 10
    undescribed = [key for key, _type, _default, description in rows if not description]
    assert not undescribed, f"config fields without a description: {undescribed}"
    reference = (ROOT / "docs" / "config.md").read_text()
    assert not [key for key, *_ in rows if f"| `{key}` |" not in reference]


def test_the_readme_points_to_the_reference_it_no_longer_copies():
    readme = (ROOT / "README.md").read_text()
    assert "docs/config.md" in readme
    assert "| `finemath.quality.min_doc_words` |" not in readme  # the tables live in docs/config.md only


MIXTURES = sorted((ROOT / "configs" / "mixtures").glob("*.yaml"))
# SmolLM2's stage proportions (arXiv:2502.02737, §4.2-4.6 and Fig. 2): web, code, math, other
SMOLLM2_STAGES = {"stage1": (0.90, 0.10, 0.0, 0.0), "stage2": (0.75, 0.20, 0.05, 0.0),
                  "stage3": (0.74, 0.16, 0.10, 0.0), "stage4": (0.58, 0.24, 0.14, 0.04)}  # fmt: skip
# FineWeb-Edu's part of the web share: 60/40 in stages 1-2, 40/60 in stage 3 (and, our assumption, stage 4)
FINEWEB_EDU_OF_WEB = {"stage1": 0.6, "stage2": 0.6, "stage3": 0.4, "stage4": 0.4}
# the sources the recipe names per stage (beyond web), by category
SMOLLM2_SOURCES = {
    "stage1": {"code": {"starcoderdata"}},
    "stage2": {"code": {"starcoderdata"}, "math": {"open-web-math"}},
    "stage3": {"code": {"stack-edu", "starcoder2data-small-languages", "starcoder2-jupyter"},
               "math": {"open-web-math", "infimm-webmath-en"}},
    "stage4": {"code": {"stack-edu-python", "stack-edu-other-languages"},
               "math": {"finemath-4plus", "infiwebmath-3plus", "open-web-math", "aug-gsm8k"},
               "other": {"cosmopedia-v2"}},
}  # fmt: skip
WEB = ("fineweb-edu", "dclm")


@pytest.mark.parametrize("path", MIXTURES, ids=[p.name for p in MIXTURES])
def test_mixture_examples_validate_and_match_the_smollm2_stages(path, tmp_path):
    data = yaml.safe_load(path.read_text())
    for source in data["sources"]:
        source["path"] = str(tmp_path)
    config = MixConfig.model_validate(data)
    stage = path.stem.split("_")[-1]
    named = SMOLLM2_SOURCES[stage]
    assert {s.name for s in config.sources} == set(WEB).union(*named.values())  # nothing missing, nothing extra
    total = sum(s.share for s in config.sources)
    share = {s.name: s.share / total for s in config.sources}
    categories = (WEB, *(tuple(named.get(kind, ())) for kind in ("code", "math", "other")))
    realized = tuple(sum(share[name] for name in names) for names in categories)
    assert realized == pytest.approx(SMOLLM2_STAGES[stage], abs=1e-9)
    assert share["fineweb-edu"] / realized[0] == pytest.approx(FINEWEB_EDU_OF_WEB[stage], abs=1e-9)
    if stage == "stage4":  # OWM 0.08% and AugGSM8K 0.02% of the stage
        assert (share["open-web-math"], share["aug-gsm8k"]) == pytest.approx((0.0008, 0.0002), abs=1e-9)


@pytest.fixture(scope="module")
def fresh_clone(demo_output, tmp_path_factory) -> Path:
    """A folder that looks like the repository root after the quick start: the tracked files (symlinked) and the
    demo's outputs at out/demo, nothing else (no data/, models/, benchmark files or the shared test data)."""
    root = tmp_path_factory.mktemp("clone")
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    for top in sorted({line.split("/", 1)[0] for line in tracked.splitlines()}):
        (root / top).symlink_to(ROOT / top)
    (root / "out").mkdir()
    (root / "out" / "demo").symlink_to(demo_output)
    return root


def smolcorpus(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "smolcorpus.cli", *args], cwd=cwd, capture_output=True, text=True)


RUNNABLE = ("# Runs as shipped once `bash scripts/demo.sh` has run", "# Needs a Slurm cluster")


@pytest.mark.slow
@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_config_dry_runs_as_shipped_after_the_demo(path, fresh_clone):
    """`smolcorpus run configs/X.yaml --dry-run` from the root of a fresh clone where the demo has run: every
    path it names exists (the README's first example used to exit 2 on data/the-stack-v2-rows), and its first line
    says what it runs on."""
    assert path.read_text().startswith(RUNNABLE), "the first line says what the config runs on"
    result = smolcorpus(fresh_clone, "run", f"configs/{path.name}", "--dry-run")
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith("config OK: pipeline") and "Traceback" not in result.stderr
    assert not (fresh_clone / yaml.safe_load(path.read_text())["output_dir"]).exists()  # a dry run writes nothing


@pytest.mark.slow
def test_the_readme_code_example_runs_as_shipped(fresh_clone):
    """configs/stack_edu.yaml for real (≈ 10 s): this repository's code, scored by the demo's code classifier."""
    result = smolcorpus(fresh_clone, "-q", "run", "configs/stack_edu.yaml")
    assert result.returncode == 0, result.stderr[-2000:]
    summary = json.loads((fresh_clone / "out" / "stack_edu" / "summary.json").read_text())
    assert summary["totals"]["read"] > 100 and 0 < summary["totals"]["kept_files"] < summary["totals"]["read"]
    assert summary["totals"]["kept_tokens"] > 0


@pytest.mark.slow
@pytest.mark.parametrize("path", MIXTURES, ids=[p.name for p in MIXTURES])
def test_mixture_example_names_in_its_first_line_what_to_put_where(path, fresh_clone):
    """The SmolLM2 stage mixtures need token folders a fresh clone has not: `mix` refuses them with exit 2, and
    every folder it misses is one the config's first lines name."""
    result = smolcorpus(fresh_clone, "mix", f"configs/mixtures/{path.name}")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    missing = re.findall(r"path does not exist: (\S+)", result.stderr)
    assert missing, result.stderr
    header = path.read_text().split("\nname:", 1)[0]
    assert header.startswith("# Needs ")
    named = set(re.findall(r"((?:data|out)/[a-z_]+/)", header))
    for folder in missing:
        assert any(folder.startswith(prefix) for prefix in named), (folder, named)
