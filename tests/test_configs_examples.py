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
# SmolLM2's stage proportions (../shared/research/recipes.md, "Stage mixtures"): web, code, math, other
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
    from smolcorpus.config import MixConfig

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
