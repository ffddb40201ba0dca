"""Annotation rubrics: the prompts an LLM judge grades documents with, one per corpus (code: one per language).

Each rubric is additive on a 0–5 scale (a point per criterion met, in order), asks for a short justification,
and ends with a machine-readable line `Score: N`. The wording is ours; the criteria follow the published
FineWeb-Edu, FineMath and Stack-Edu recipes (their dataset cards' annotation prompts). A rubric's version changes
whenever its text changes, and every annotation records the rubric name and version it was made with.
"""

from __future__ import annotations

from dataclasses import dataclass

SCORE_LINE = "Score: N"


@dataclass(frozen=True)
class Rubric:
    name: str
    version: str
    template: str  # with {document} (and {language} for code)

    def prompt(self, document: str, language: str | None = None, grade_only: bool = False) -> str:
        """The rubric for `document`; `grade_only`: its ending asks for the total alone (a judge that constrains
        its one-token answer to the grades, `Judge.grade_only`), not for a justification and a score line."""
        text = self.template.format(document=document, language=language or "")
        return text.removesuffix(_ENDING) + _GRADE_ENDING if grade_only else text


_ENDING = """
Think about the criteria above, then answer with a justification of at most 100 words, and finish with a last line
that holds only the total, written exactly as:
Score: N
where N is a whole number from 0 to 5.
"""

_GRADE_ENDING = """
Think about the criteria above, then answer with the total only: one digit from 0 to 5.
"""

WEB_EDU = Rubric(
    "web-edu",
    "1",
    """You are grading a web page for how useful it would be to teach children, from primary school up to the
end of middle school. Start at 0 and add one point for each statement below that holds, checking them in order:

1. The page carries some information with educational value, even if ads, navigation or promotion surround it.
2. It deals with topics that matter for school learning, though it may be shallow, mixed with unrelated
   material, or not very coherent.
3. It could be used in a lesson: it presents ideas a school curriculum covers in a coherent way, like a section
   of an introductory textbook, even if it is incomplete or somewhat too advanced.
4. It fits the school level well and is clearly written, like a textbook chapter or a tutorial, possibly with
   exercises and worked answers, and with little unrelated content.
5. It is excellent teaching material for that level: reasoning laid out step by step, easy to follow, nothing
   off-topic and nothing needlessly complicated.

The page:
<document>
{document}
</document>
"""
    + _ENDING,
)

MATH = Rubric(
    "math",
    "1",
    """You are grading a web page for its value in teaching mathematics, from middle school to the first years of
university. Start at 0 and add one point for each statement below that holds, checking them in order:

1. The page contains some mathematics, even if it is only a unit converter, a calculator or an advertisement.
2. It treats mathematical topics, even if it is badly written, disorganised, or far beyond the target level
   (a research paper, say).
3. It shows mathematical reasoning or problem solving, even without detailed steps.
4. It suits the target level and explains clearly, with derivations or step-by-step solutions, like a textbook
   chapter, a tutorial or a well-answered question.
5. It is outstanding for teaching at that level: thorough, very clear explanations that a student could follow
   alone.

Questions and answers from forums are fine. Ignore broken formatting and equations that did not survive
extraction.

The page:
<document>
{document}
</document>
"""
    + _ENDING,
)

# what point 3 of the code rubric names as an acceptable "advanced" topic, per language
_CODE_ADVANCED_TOPIC = {
    "python": "machine learning",
    "javascript": "asynchronous programming",
    "typescript": "asynchronous programming",
    "java": "concurrency",
    "c": "memory management",
    "c++": "templates",
    "rust": "ownership and lifetimes",
    "go": "goroutines and channels",
    "sql": "query optimisation",
}

_CODE_TEMPLATE = """You are grading a {language} source file for its value in teaching programming. Start at 0 and add
one point for each statement below that holds, checking them in order:

1. The file contains valid {language} code, even if it is boilerplate, configuration or very specialised.
2. It shows practical programming concepts, even without comments.
3. It would help teach programming: it introduces key concepts in well-structured code with some comments,
   even on advanced topics such as {topic}.
4. It stands on its own and is highly relevant to teaching, like a school exercise, a tutorial or a course
   example.
5. It is excellent teaching material: well written, easy to follow, with comments that explain each step.

The file:
<document>
{{document}}
</document>
"""


def code_rubric(language: str) -> Rubric:
    topic = _CODE_ADVANCED_TOPIC.get(language.lower(), "algorithms and data structures")
    template = _CODE_TEMPLATE.format(language=language, topic=topic) + _ENDING
    return Rubric(f"code:{language}", "1", template)


def get_rubric(spec: str) -> Rubric:
    """`web-edu`, `math`, or `code:LANGUAGE` (e.g. `code:Python`)."""
    if spec == "web-edu":
        return WEB_EDU
    if spec == "math":
        return MATH
    if spec.startswith("code:") and len(spec) > 5:
        return code_rubric(spec[5:])
    raise ValueError(f"unknown rubric {spec!r}: use web-edu, math or code:LANGUAGE")
