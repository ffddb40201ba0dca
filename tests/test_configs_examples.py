"""The example configs in configs/ stay valid, and the README's config reference names every key."""

import re
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel

from smolcorpus.config import RunConfig, validate_config

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "configs").glob("*.yaml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_config_validates(path, tmp_path):
    data = yaml.safe_load(path.read_text())
    # the examples point at the user's data, models and benchmark files: stand-ins that exist
    if data["pipeline"] == "tokenize":
        data["input"]["paths"] = [str(tmp_path)]
    if data["pipeline"] == "stack_edu":
        code = data["stack_edu"]
        code["stack_v2"]["paths"] = [str(tmp_path)]
        code["scoring"]["models"] = dict.fromkeys(code["scoring"]["models"], str(tmp_path))
        code["scoring"]["default_model"] = str(tmp_path)
        code["decontamination"]["benchmarks"] = [str(tmp_path)]
    if data["pipeline"] == "finemath":
        math = data["finemath"]
        math["warc"]["paths"] = [str(tmp_path)]
        math["recall"]["model"] = math["precision"]["model"] = str(tmp_path)
        math["decontamination"]["benchmarks"] = [str(tmp_path)]
    config = validate_config(data, source=str(path))
    assert config.pipeline == data["pipeline"]


def section_fields(model: type[BaseModel], prefix: str = "") -> list[str]:
    names = []
    for name, field in model.model_fields.items():
        names.append(prefix + name)
        for candidate in (field.annotation, *getattr(field.annotation, "__args__", ())):
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                names.extend(section_fields(candidate, f"{prefix}{name}."))
    return names


def test_readme_documents_every_config_key():
    readme = (ROOT / "README.md").read_text()
    reference = readme[readme.index("## Config reference") :]
    documented = set(re.findall(r"`([a-z0-9_.]+)`", reference))
    missing = [key for key in section_fields(RunConfig) if key not in documented]
    assert not missing, f"README config reference lacks: {missing}"


MIXTURES = sorted((ROOT / "configs" / "mixtures").glob("*.yaml"))
# SmolLM2's stage proportions (../shared/research/recipes.md): web, code, math, other
SMOLLM2_STAGES = {"stage1": (0.90, 0.10, 0.0, 0.0), "stage2": (0.75, 0.20, 0.05, 0.0),
                  "stage3": (0.74, 0.16, 0.10, 0.0), "stage4": (0.58, 0.24, 0.14, 0.04)}  # fmt: skip


@pytest.mark.parametrize("path", MIXTURES, ids=[p.name for p in MIXTURES])
def test_mixture_examples_validate_and_match_the_smollm2_stages(path, tmp_path):
    from smolcorpus.config import MixConfig

    data = yaml.safe_load(path.read_text())
    for source in data["sources"]:
        source["path"] = str(tmp_path)
    config = MixConfig.model_validate(data)
    total = sum(s.share for s in config.sources)
    kinds = {"web": ("fineweb-edu", "dclm"), "code": ("starcoderdata", "stack-edu"),
             "math": ("open-web-math", "web-math", "finemath-4plus"), "other": ("cosmopedia-v2",)}  # fmt: skip
    shares = tuple(sum(s.share for s in config.sources if s.name in names) / total for names in kinds.values())
    expected = SMOLLM2_STAGES[path.stem.split("_")[-1]]
    assert shares == pytest.approx(expected, abs=1e-9)
