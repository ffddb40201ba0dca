"""Credentials never reach a file smolcorpus writes: `redact` on a run config with every kind of secret the module
docstring names, and what it must leave alone (where data is, tokenizer settings, ordinary text)."""

from smolcorpus.runtime.redaction import REDACTED, redact, redact_text


def test_storage_options_keep_where_and_lose_who():
    config = {"finemath": {"warc": {"storage_options": {
        "endpoint_url": "http://127.0.0.1:9000", "anon": False, "key": "minio", "secret": "minio123",
        "client_kwargs": {"region_name": "us-east-1"},
    }}}}  # fmt: skip
    options = redact(config)["finemath"]["warc"]["storage_options"]
    assert options["endpoint_url"] == "http://127.0.0.1:9000" and options["anon"] is False
    assert options["key"] == REDACTED and options["secret"] == REDACTED
    assert options["client_kwargs"] == {"region_name": "us-east-1"}
    assert config["finemath"]["warc"]["storage_options"]["secret"] == "minio123"  # the input is untouched


def test_secret_keys_and_commands_but_not_tokenizer_settings():
    redacted = redact({
        "hf_token": "abc", "aws_secret_access_key": "xyz", "password": "p", "token": None,
        "tokenize": {"eos_token": "<|endoftext|>", "max_tokens_per_shard": 1000},
        "executor": {"slurm": {"env_command": "export HF_TOKEN=abc && source venv/bin/activate"}},
    })  # fmt: skip
    assert redacted["hf_token"] == redacted["aws_secret_access_key"] == redacted["password"] == REDACTED
    assert redacted["token"] is None  # nothing to hide
    assert redacted["tokenize"] == {"eos_token": "<|endoftext|>", "max_tokens_per_shard": 1000}
    assert redacted["executor"]["slurm"]["env_command"] == REDACTED


def test_credential_looking_values_anywhere():
    text = ("model hf_" + "a" * 30 + " key AKIA" + "B" * 16 + " url https://user:hunter2@example.org/x "
            "github ghp_" + "c" * 24 + " openai sk-" + "d" * 24)  # fmt: skip
    cleaned = redact_text(text)
    for secret in ("hf_aaaa", "AKIABBBB", "hunter2", "ghp_cccc", "sk-dddd"):
        assert secret not in cleaned
    assert "https://user:<redacted>@example.org/x" in cleaned
    assert redact(["plain words, a tokenizer, 42"]) == ["plain words, a tokenizer, 42"]
