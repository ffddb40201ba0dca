"""An LLM judge over any OpenAI-compatible chat endpoint (vLLM, TGI, llama.cpp server, `transformers serve`).

`grade` sends one rubric prompt, retries transport errors, HTTP 429/5xx and malformed responses with exponential
backoff, asks once more for an answer without a score line, and returns a `Grade` with either a score or the
reason it has none. It never raises for a bad answer.

The score is the grade on the final `Score: N` line. When the server returns token log-probabilities, the score
is instead the probability-weighted mean of the digits 0–5 the model considered at that position (a finer signal
than the argmax, as FineWeb-Edu's annotations); `grade` keeps the parsed integer either way.

A small model rarely writes a score line (SmolLM2-135M: 0 of 8 documents). `grade_tokens` (the model's token ids of
the digits 0–5, `grade_token_ids`) makes the judge ask for the grade alone and constrain the answer to one of them:
one token, generated under `logit_bias` +100 on those six, so the server must pick a grade, and picks the one its
model rates most likely. Any server that applies OpenAI's `logit_bias` does (vLLM, llama.cpp, `transformers serve`,
OpenAI); an answer that is not a grade says the server ignored it. No justification comes back.
"""

from __future__ import annotations

import math
import random
import re
import time
from dataclasses import dataclass

import httpx

SCORE_PATTERN = re.compile(r"score\s*[:=]\s*\**\s*([0-5])(?![0-9])", re.IGNORECASE)
RETRY_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}
FOLLOW_UP = "Now write only the total, from 0 to 5, as one line: Score: N"
GRADES = "012345"
GRADE_BIAS = 100.0  # logit_bias on each grade token: OpenAI's maximum, far above any logit gap


def grade_token_ids(tokenizer: str) -> list[int]:
    """The token ids of the digits 0–5 in the tokenizer of a model folder (its `tokenizer.json`, else what
    transformers loads there), for `Judge(grade_tokens=...)`. Raises ValueError when a digit is not one token."""
    from pathlib import Path

    folder = Path(tokenizer)
    if (folder / "tokenizer.json").is_file():
        from tokenizers import Tokenizer

        fast = Tokenizer.from_file(str(folder / "tokenizer.json"))
        encoded = [fast.encode(digit, add_special_tokens=False).ids for digit in GRADES]
    else:
        from transformers import AutoTokenizer

        loaded = AutoTokenizer.from_pretrained(str(folder))
        encoded = [loaded.encode(digit, add_special_tokens=False) for digit in GRADES]
    if any(len(ids) != 1 for ids in encoded):
        raise ValueError(f"the tokenizer of {tokenizer} spells a grade 0–5 in more than one token ({encoded}): "
                         "a one-token answer cannot be constrained to the grades with it")  # fmt: skip
    return [ids[0] for ids in encoded]


@dataclass
class Grade:
    score: float | None  # probability-weighted when log-probabilities were available
    grade: int | None  # the integer on the score line
    justification: str
    attempts: int
    reason: str | None = None  # why there is no score
    weighted: bool = False
    prompt_tokens: int | None = None  # sent, as the server's `usage` counts them (None: it reported none)
    completion_tokens: int | None = None  # received


def parse_grade(text: str) -> tuple[int, int] | None:
    """(grade, character offset of its digit) from the last `Score: N` in the answer; None if absent."""
    matches = list(SCORE_PATTERN.finditer(text))
    if not matches:
        return None
    last = matches[-1]
    return int(last.group(1)), last.start(1)


def weighted_score(logprob_tokens: list[dict], digit_offset: int) -> float | None:
    """Probability-weighted grade at the token that produced the digit at `digit_offset` of the answer text.

    `logprob_tokens` is the OpenAI `choices[0].logprobs.content` list: {token, logprob, top_logprobs}.
    """
    position = 0
    for entry in logprob_tokens:
        token = entry.get("token", "")
        if position <= digit_offset < position + len(token):
            weights = {}
            for candidate in entry.get("top_logprobs") or [{"token": token, "logprob": entry.get("logprob", 0.0)}]:
                digit = candidate.get("token", "").strip()
                if len(digit) == 1 and digit in "012345":
                    weights[int(digit)] = weights.get(int(digit), 0.0) + math.exp(candidate["logprob"])
            total = sum(weights.values())
            return sum(d * p for d, p in weights.items()) / total if total > 0 else None
        position += len(token)
    return None


class _Usage:
    """Tokens sent and received over one grading conversation, from the server's OpenAI `usage` objects."""

    def __init__(self):
        self.prompt_tokens = self.completion_tokens = None

    def add(self, usage) -> None:
        if not isinstance(usage, dict):
            return
        for key in ("prompt_tokens", "completion_tokens"):
            value = usage.get(key)
            if isinstance(value, int) and value >= 0:
                setattr(self, key, (getattr(self, key) or 0) + value)

    def fields(self) -> dict:
        return {"prompt_tokens": self.prompt_tokens, "completion_tokens": self.completion_tokens}


class Judge:
    """Args:
    endpoint: base URL of the server, e.g. http://127.0.0.1:8000 (with or without /v1).
    model: model name the server knows.
    timeout: seconds per request (default 120).
    max_attempts: tries per document for transport errors, retryable HTTP codes and unparseable answers.
    backoff: first retry delay in seconds, doubled each time (with jitter), capped at 30 s.
    max_tokens / temperature: generation settings (defaults 256 / 0.0: deterministic judging).
    api_key: sent as a bearer token when set.
    grade_tokens: the model's token ids of the digits 0–5 (`grade_token_ids`): answer with one grade token,
        constrained by logit_bias (see the module docstring); None: a justification and a `Score: N` line.
    """

    def __init__(
        self,
        endpoint: str,
        model: str,
        timeout: float = 120.0,
        max_attempts: int = 4,
        backoff: float = 1.0,
        max_tokens: int = 256,
        temperature: float = 0.0,
        api_key: str | None = None,
        grade_tokens: list[int] | None = None,
    ):
        base = endpoint.rstrip("/")
        self.url = base + ("/chat/completions" if base.endswith("/v1") else "/v1/chat/completions")
        self.model = model
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.max_tokens = max_tokens
        self.temperature = temperature
        if grade_tokens is not None and len(grade_tokens) != len(GRADES):
            raise ValueError(f"grade_tokens: one token id per grade 0–5, not {grade_tokens}")
        self.grade_tokens = list(grade_tokens) if grade_tokens is not None else None
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.client = httpx.Client(timeout=timeout, headers=headers)

    def close(self) -> None:
        self.client.close()

    @property
    def grade_only(self) -> bool:
        """Whether answers are one constrained grade token (the prompt should ask for the grade alone)."""
        return self.grade_tokens is not None

    def grade(self, prompt: str) -> Grade:
        """Ask once (retrying transport errors and retryable HTTP codes); if the answer has no score line, ask
        once more in the same conversation for just the score line (re-sending the same prompt at temperature 0
        would only repeat the answer)."""
        messages = [{"role": "user", "content": prompt}]
        usage = _Usage()
        if self.grade_only:
            return self._grade_token(messages, usage)
        answer, reason, attempts = self._complete(messages, self.max_tokens, usage)
        if answer is None:
            return Grade(None, None, "", attempts, reason, **usage.fields())
        text, logprobs = answer
        parsed = parse_grade(text)
        justification = text.strip()
        if parsed is None:
            messages += [{"role": "assistant", "content": text}, {"role": "user", "content": FOLLOW_UP}]
            answer, reason, more = self._complete(messages, 16, usage)
            attempts += more
            if answer is None:
                return Grade(None, None, justification, attempts, reason, **usage.fields())
            text, logprobs = answer
            parsed = parse_grade(text)
            if parsed is None:
                tail = justification[-160:]
                return Grade(None, None, justification, attempts, f"no 'Score: N' line in the answer, also after "
                             f"asking for it: {tail!r} / {text[-80:]!r}", **usage.fields())  # fmt: skip
        grade, offset = parsed
        weighted = weighted_score(logprobs, offset) if logprobs else None
        score = weighted if weighted is not None else float(grade)
        return Grade(score, grade, justification, attempts, None, weighted is not None, **usage.fields())

    def _grade_token(self, messages: list[dict], usage: _Usage) -> Grade:
        """One token, constrained to the grade tokens by logit_bias; the grade is that digit, and the score its
        probability-weighted mean over the digits when log-probabilities come back."""
        bias = {str(token): GRADE_BIAS for token in self.grade_tokens}
        answer, reason, attempts = self._complete(messages, 1, usage, {"logit_bias": bias})
        if answer is None:
            return Grade(None, None, "", attempts, reason, **usage.fields())
        text, logprobs = answer
        digit = text.strip()
        if len(digit) != 1 or digit not in GRADES:
            return Grade(None, None, text, attempts, f"the answer {text[:40]!r} is no grade token: the server "
                         "ignored logit_bias (grade-only judging needs a server that applies it)",
                         **usage.fields())  # fmt: skip
        weighted = weighted_score(logprobs, text.index(digit)) if logprobs else None
        score = weighted if weighted is not None else float(digit)
        return Grade(score, int(digit), "", attempts, None, weighted is not None, **usage.fields())

    def _complete(self, messages: list[dict], max_tokens: int, usage: _Usage,
                  extra: dict | None = None) -> tuple[tuple[str, list] | None, str | None, int]:  # fmt: skip
        """((answer text, logprob tokens) or None, failure reason, attempts used); `usage` adds the tokens the
        server says it read and wrote for each answer it returned; `extra`: more request fields."""
        reason = "no attempt made"
        for attempt in range(1, self.max_attempts + 1):
            if attempt > 1:
                delay = min(30.0, self.backoff * 2 ** (attempt - 2))
                time.sleep(delay * (0.5 + random.random() / 2))
            try:
                response = self.client.post(self.url, json={**self._request(messages, max_tokens), **(extra or {})})
            except httpx.HTTPError as e:
                reason = f"request failed: {type(e).__name__}: {e}"
                continue
            if response.status_code in RETRY_STATUS:
                reason = f"HTTP {response.status_code}: {response.text[:200]}"
                continue
            if response.status_code != 200:
                return None, f"HTTP {response.status_code} (not retried): {response.text[:200]}", attempt
            try:
                body = response.json()
                choice = body["choices"][0]
                text = choice["message"]["content"] or ""
            except (ValueError, KeyError, IndexError, TypeError) as e:
                reason = f"malformed response ({type(e).__name__}): {response.text[:200]!r}"
                continue
            usage.add(body.get("usage"))
            return (text, ((choice.get("logprobs") or {}).get("content")) or []), None, attempt
        return None, f"{reason} (after {self.max_attempts} attempts)", self.max_attempts

    def _request(self, messages: list[dict], max_tokens: int) -> dict:
        return {
            "model": self.model,
            "messages": messages,
            "max_tokens": max_tokens,
            "temperature": self.temperature,
            "logprobs": True,
            "top_logprobs": 10,
        }
