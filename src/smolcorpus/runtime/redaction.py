"""Credentials out of every file smolcorpus writes: run_info.json, config.resolved.yaml, datatrove's executor.json and
the published dataset card all pass through `redact`; the run itself keeps the real values in memory.

What is redacted:
- storage options (any key ending in `storage_options`), except the where-not-who options that say where data is
  (`endpoint_url`, `anon`, `region_name`, ...);
- any value under a key named like a credential (`token`, `hf_token`, `secret`, `password`, `api_key`,
  `access_key`, `credentials`, `private_key`; not `tokenize` or `eos_token`), and an `env_command` that mentions
  a token, secret, password, key or session;
- any string that looks like a credential whatever its key: Hugging Face (`hf_…`), AWS access key ids
  (`AKIA…`/`ASIA…`), GitHub (`ghp_…`, `github_pat_…`), OpenAI-style (`sk-…`) tokens, and `user:password@` in URLs.
"""

from __future__ import annotations

import re
from typing import Any

REDACTED = "<redacted>"
# fsspec/s3fs options that say where data is, not who reads it; every other storage option is redacted
PUBLIC_STORAGE_OPTIONS = {"anon", "endpoint_url", "region_name", "use_ssl", "requester_pays", "client_kwargs",
                          "profile", "config_kwargs", "signature_version", "s3"}  # fmt: skip
SECRET_WORDS = re.compile(
    r"token|secret|password|passwd|api[_-]?key|access[_-]?key|credential|private[_-]?key|session", re.IGNORECASE
)
# a key named like a credential: the word as a whole part of the name (`token`, `hf_token`, `aws_secret_access_key`),
# not `tokenize` or `max_tokens_per_shard`; a tokenizer's special tokens (`eos_token`) are not credentials
SECRET_KEY = re.compile(
    r"(?:^|[_-])(?:token|secret|password|passwd|api[_-]?key|access[_-]?key|credentials?|private[_-]?key)(?:$|[_-])",
    re.IGNORECASE,
)
SPECIAL_TOKENS = re.compile(r"^(?:eos|bos|pad|unk|sep|cls|mask)_token(?:_id)?$", re.IGNORECASE)
SECRET_VALUES = re.compile(
    r"\bhf_[A-Za-z0-9]{20,}|\b(?:AKIA|ASIA)[0-9A-Z]{16}\b|\bghp_[A-Za-z0-9]{20,}|\bgithub_pat_[A-Za-z0-9_]{20,}"
    r"|\bsk-[A-Za-z0-9_-]{20,}"
)
_URL_PASSWORD = re.compile(r"(://[^/\s:@]+):[^/\s@]+@")


def redact_text(text: str) -> str:
    """`text` with credential-looking substrings (and URL passwords) replaced by `<redacted>`."""
    return _URL_PASSWORD.sub(rf"\1:{REDACTED}@", SECRET_VALUES.sub(REDACTED, text))


def _storage_options(options: Any) -> Any:
    if isinstance(options, dict):
        return {k: _storage_options(v) if k in PUBLIC_STORAGE_OPTIONS else REDACTED for k, v in options.items()}
    return redact(options)


def redact(node: Any) -> Any:
    """A copy of `node` (dicts, lists, strings) with the credentials listed in the module docstring redacted."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            name = str(key)
            secret_key = SECRET_KEY.search(name) and not SPECIAL_TOKENS.match(name) and value not in (None, "")
            secret_command = name == "env_command" and isinstance(value, str) and SECRET_WORDS.search(value)
            if name.endswith("storage_options"):
                out[key] = _storage_options(value)
            elif secret_key or secret_command:
                out[key] = REDACTED
            else:
                out[key] = redact(value)
        return out
    if isinstance(node, (list, tuple)):
        return [redact(item) for item in node]
    if isinstance(node, str):
        return redact_text(node)
    return node
