"""The same pipeline through datatrove's Ray executor on a local Ray cluster (ray.init())."""

import pytest

from smolcorpus.config import validate_config
from smolcorpus.run import run_config
from tests.pipelines.helpers import comparable_manifest, token_rows, tokenize_config

pytestmark = pytest.mark.slow  # every test here starts or uses an executor cluster

ray = pytest.importorskip("ray", reason="ray is not installed (pip install 'smolcorpus[ray]')")


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


@pytest.mark.ray
def test_ray_executor_matches_the_local_executor(real_corpus, tmp_path, local_ray):
    local_out, ray_out = tmp_path / "local", tmp_path / "ray"
    run_config(validate_config(tokenize_config([real_corpus], local_out, tasks=4, workers=2)))
    settings = {"mem_per_cpu_gb": 1}
    summary = run_config(validate_config(tokenize_config([real_corpus], ray_out, tasks=4, kind="ray", ray=settings)))
    assert len(list((ray_out / "logs" / "tokenize" / "completions").iterdir())) == 4
    assert [s.name for s in summary.stages] == ["tokenize", "manifest"]
    assert token_rows(ray_out) == token_rows(local_out)
    assert comparable_manifest(ray_out) == comparable_manifest(local_out)
