"""`RedactedJsonMixin`: the executor.json every executor writes holds its settings and steps, credentials redacted."""

import json

from datatrove.executor.local import LocalPipelineExecutor

from smolcorpus.readers import DocumentFileReader
from smolcorpus.runtime.executor_json import RedactedJsonMixin
from smolcorpus.runtime.executors import FailureTolerantLocalExecutor
from smolcorpus.runtime.slurm_executor import RedactedSlurmExecutor

SECRET_KEY = "AKIAEXAMPLEKEY0000000"
SECRET = "example-secret-value"
HF_TOKEN = "hf_exampletokenexampletoken00"


class RedactedLocal(RedactedJsonMixin, LocalPipelineExecutor):
    pass


def test_executor_json_keeps_settings_and_redacts_credentials(tmp_path):
    (tmp_path / "docs").mkdir()
    reader = DocumentFileReader(
        [str(tmp_path / "docs")],
        storage_options={"key": SECRET_KEY, "secret": SECRET, "client_kwargs": {"endpoint_url": "http://h:9000"}},
    )
    reader.hub_token = HF_TOKEN  # a credential-looking value anywhere in a step's settings
    executor = RedactedLocal([reader], tasks=3, logging_dir=str(tmp_path / "logs"))
    executor.save_executor_as_json()
    text = (tmp_path / "logs" / "executor.json").read_text()
    for secret in (SECRET_KEY, SECRET, HF_TOKEN):
        assert secret not in text
    data = json.loads(text)
    assert data["tasks"] == 3  # the settings are all there, as datatrove writes them
    step = data["pipeline"][0]  # the pipeline's steps are described, with their settings
    assert step["paths"] == [str(tmp_path / "docs")] and step["text_column"] == "text"
    assert step["storage_options"] == {"key": "<redacted>", "secret": "<redacted>",
                                       "client_kwargs": {"endpoint_url": "http://h:9000"}}  # fmt: skip
    assert step["hub_token"] == "<redacted>"


def test_every_smolcorpus_executor_writes_the_redacted_document():
    for executor_class in (FailureTolerantLocalExecutor, RedactedSlurmExecutor):
        assert executor_class.save_executor_as_json is RedactedJsonMixin.save_executor_as_json
