"""The judge's parsing and retry logic. HTTP failures come from a real HTTP server on 127.0.0.1 that answers what
each test scripts (errors, garbage, slow replies): the misbehaving endpoints the judge must survive."""

import json
import math
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from smolcorpus.classifiers.judge import Judge, parse_grade, weighted_score


def test_parse_grade_takes_the_last_score_line():
    assert parse_grade("Score: 2 is too low.\nOverall it is good.\nScore: 4") == (
        4,
        len("Score: 2 is too low.\nOverall it is good.\nScore: "),
    )
    assert parse_grade("final score = 3") == (3, 14)
    assert parse_grade("**Score:** 5")[0] == 5
    assert (
        parse_grade("Score: 7") is None and parse_grade("no grade here") is None and parse_grade("Score: 10") is None
    )


def test_weighted_score_from_top_logprobs():
    tokens = [
        {"token": "Good", "logprob": -0.1, "top_logprobs": []},
        {"token": ".\nScore:", "logprob": -0.1, "top_logprobs": []},
        {"token": " 4", "logprob": math.log(0.6), "top_logprobs": [
            {"token": " 4", "logprob": math.log(0.6)}, {"token": " 3", "logprob": math.log(0.3)},
            {"token": "five", "logprob": math.log(0.1)}]},
    ]  # fmt: skip
    offset = parse_grade("Good.\nScore: 4")[1]
    assert weighted_score(tokens, offset) == pytest.approx((4 * 0.6 + 3 * 0.3) / 0.9)
    assert weighted_score(tokens, 999) is None


class ScriptedServer:
    """Serve the next scripted (status, body) for each POST; record the requests."""

    def __init__(self, replies):
        self.replies = list(replies)
        self.requests = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers["Content-Length"])
                server.requests.append(json.loads(self.rfile.read(length)))
                status, body = server.replies.pop(0) if server.replies else (500, "script exhausted")
                payload = body if isinstance(body, str) else json.dumps(body)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(payload.encode())

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()


def answer(text, logprobs=None):
    choice = {"index": 0, "message": {"role": "assistant", "content": text}}
    if logprobs is not None:
        choice["logprobs"] = {"content": logprobs}
    return 200, {"choices": [choice]}


@pytest.fixture
def scripted():
    servers = []

    def make(*replies):
        servers.append(ScriptedServer(replies))
        return servers[-1]

    yield make
    for server in servers:
        server.close()


def test_retries_server_errors_and_garbage_then_grades(scripted):
    server = scripted((503, "busy"), (200, "<html>not json</html>"), answer("Clear tutorial.\nScore: 4"))
    grade = Judge(server.url, "m", backoff=0.01).grade("prompt")
    assert (grade.score, grade.grade, grade.attempts, grade.reason) == (4.0, 4, 3, None)
    assert server.requests[0]["messages"] == [{"role": "user", "content": "prompt"}]
    assert server.requests[0]["logprobs"] is True


def test_gives_up_with_a_reason_and_never_raises(scripted):
    server = scripted(*[(500, "boom")] * 3)
    grade = Judge(server.url, "m", max_attempts=3, backoff=0.01).grade("prompt")
    assert grade.score is None and "HTTP 500" in grade.reason and "after 3 attempts" in grade.reason
    refused = scripted((404, "no such model"))
    grade = Judge(refused.url + "/v1", "m", backoff=0.01).grade("prompt")
    assert grade.score is None and "HTTP 404 (not retried)" in grade.reason and len(refused.requests) == 1


def test_unparseable_answer_gets_one_follow_up(scripted):
    server = scripted(answer("A fine page about fractions."), answer("Score: 3"))
    grade = Judge(server.url, "m").grade("prompt")
    assert grade.grade == 3 and grade.justification == "A fine page about fractions."
    follow_up = server.requests[1]["messages"]
    assert [m["role"] for m in follow_up] == ["user", "assistant", "user"]
    server = scripted(answer("chatter"), answer("more chatter"))
    grade = Judge(server.url, "m").grade("prompt")
    assert grade.score is None and "also after asking for it" in grade.reason


def test_probability_weighted_score_when_logprobs_come_back(scripted):
    half = math.log(0.5)
    candidates = [{"token": " 2", "logprob": half}, {"token": " 3", "logprob": half}]
    logprobs = [
        {"token": "Score:", "logprob": 0.0, "top_logprobs": []},
        {"token": " 2", "logprob": half, "top_logprobs": candidates},
    ]
    server = scripted(answer("Score: 2", logprobs))
    grade = Judge(server.url, "m").grade("prompt")
    assert grade.weighted and grade.grade == 2 and grade.score == pytest.approx(2.5)


def test_unreachable_endpoint_is_a_recorded_failure():
    grade = Judge("http://127.0.0.1:9", "m", max_attempts=2, backoff=0.01, timeout=2).grade("prompt")
    assert grade.score is None and "request failed: ConnectError" in grade.reason


def test_usage_is_summed_over_a_conversation_and_absent_when_not_reported():
    from smolcorpus.classifiers.judge import _Usage

    usage = _Usage()
    assert usage.fields() == {"prompt_tokens": None, "completion_tokens": None}
    usage.add({"prompt_tokens": 120, "completion_tokens": 30, "total_tokens": 150})
    usage.add({"prompt_tokens": 160, "completion_tokens": 4})
    usage.add(None)  # a server that reports nothing leaves the counts alone
    usage.add({"prompt_tokens": "many"})
    assert usage.fields() == {"prompt_tokens": 280, "completion_tokens": 34}


def test_grade_only_constrains_one_token_to_the_grades(scripted):
    """A grade-only judge sends one request of one token with logit_bias +100 (floats: `transformers serve` refuses
    ints) on the six grade tokens; the digit is the grade, weighted by log-probabilities when they come back. An
    answer that is no grade token means the server ignored logit_bias: a recorded reason, never a raise."""
    ids = [15, 16, 17, 18, 19, 20]
    tokens = [{"token": "3", "logprob": math.log(0.5), "top_logprobs": [
        {"token": "3", "logprob": math.log(0.5)}, {"token": "4", "logprob": math.log(0.5)}]}]  # fmt: skip
    server = scripted(answer("3"), answer("4", tokens), answer("The"))
    judge = Judge(server.url, "m", grade_tokens=ids, backoff=0.01)
    assert judge.grade_only
    first = judge.grade("prompt")
    assert (first.score, first.grade, first.justification, first.reason, first.attempts) == (3.0, 3, "", None, 1)
    request = server.requests[0]
    assert request["max_tokens"] == 1 and request["logit_bias"] == {str(i): 100.0 for i in ids}
    assert all(isinstance(bias, float) for bias in request["logit_bias"].values())
    weighted = judge.grade("prompt")
    assert weighted.grade == 4 and weighted.weighted and weighted.score == pytest.approx(3.5)
    ignored = judge.grade("prompt")
    assert ignored.score is None and "ignored logit_bias" in ignored.reason and len(server.requests) == 3
    with pytest.raises(ValueError, match="one token id per grade"):
        Judge(server.url, "m", grade_tokens=[1, 2])


def test_grade_token_ids_of_the_smollm2_tokenizer(smollm2_tokenizer, tmp_path):
    """The offline default tokenizer (the local judge's) spells each grade as one token."""
    import shutil

    from tokenizers import Tokenizer

    from smolcorpus.classifiers.judge import grade_token_ids

    shutil.copy(smollm2_tokenizer.path, tmp_path / "tokenizer.json")
    ids = grade_token_ids(str(tmp_path))
    assert [Tokenizer.from_file(smollm2_tokenizer.path).decode([i]) for i in ids] == list("012345")
