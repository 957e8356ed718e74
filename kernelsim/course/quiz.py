"""Self-check quizzes for the course notebooks (ungraded; separate from nbgrader exercises).

A quiz is a few multiple-choice questions shown as ipywidgets radio buttons,
each with a check button that gives immediate feedback (correct or not, and
why) in the learner's language.  The state lives in the widgets' traitlets,
so the logic is tested in plain Python: set ``radio.value``, call
``check_button.click()`` and read ``feedback.value``.

Because the Korean and English notebooks share identical code cells, every
text may be given as a plain string or as ``{"en": ..., "ko": ...}``; the
language is taken from ``lang`` or, when omitted, from :func:`language`.
"""

from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Union

import ipywidgets as widgets

Text = Union[str, dict]

LANGUAGES = ("en", "ko")

MESSAGES = {
    "en": {
        "check": "Check",
        "choose": "Choose an answer first.",
        "correct": "✅ Correct!",
        "incorrect": "❌ Not quite. Try another answer.",
        "title": "Self-check",
        "question": "Question {n}",
    },
    "ko": {
        "check": "확인",
        "choose": "먼저 답을 하나 고르세요.",
        "correct": "✅ 정답입니다!",
        "incorrect": "❌ 아쉽네요. 다른 답을 골라 보세요.",
        "title": "셀프 체크",
        "question": "문제 {n}",
    },
}


def language(default: str = "en") -> str:
    """The learner's language: ``KERNELSIM_LANG``, else the notebook's folder (``ko/`` or ``en/``).

    Jupyter starts a notebook's kernel in the notebook's own folder, so a
    notebook under ``course/ko/`` gets Korean and one under ``course/en/``
    gets English without any language-specific code in the cell.
    """
    env = os.environ.get("KERNELSIM_LANG", "").strip().lower()
    if env in LANGUAGES:
        return env
    folder = Path.cwd().name.lower()
    if folder in LANGUAGES:
        return folder
    return default


def localize(text: Text, lang: str) -> str:
    """Pick ``text`` in ``lang`` (falling back to English, then to any language given)."""
    if isinstance(text, dict):
        for key in (lang, "en", *text.keys()):
            if key in text:
                return str(text[key])
        return ""
    return str(text)


def _inline_html(text: str) -> str:
    """Escape ``text`` for HTML, showing `backticked` spans as code."""
    escaped = html.escape(text)
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped)


@dataclass
class Question:
    """One multiple-choice question; ``answer`` is the index of the right option (or its text)."""

    question: Text
    options: list
    answer: Union[int, str]
    explanation: Text = ""

    def __post_init__(self) -> None:
        if len(self.options) < 2:
            raise ValueError("a question needs at least two options")
        self.answer = self.answer_index()

    def answer_index(self) -> int:
        if isinstance(self.answer, bool):
            raise TypeError("answer must be an option index or an option's text")
        if isinstance(self.answer, int):
            if not 0 <= self.answer < len(self.options):
                raise ValueError(f"answer {self.answer} is not an option index (0..{len(self.options) - 1})")
            return self.answer
        for i, option in enumerate(self.options):
            texts = option.values() if isinstance(option, dict) else [option]
            if self.answer in texts:
                return i
        raise ValueError(f"answer {self.answer!r} is not one of the options")

    @classmethod
    def from_spec(cls, spec) -> "Question":
        if isinstance(spec, Question):
            return spec
        if isinstance(spec, dict):
            return cls(spec["question"], list(spec["options"]), spec["answer"], spec.get("explanation", ""))
        return cls(*spec)


class QuestionWidget(widgets.VBox):
    """Radio buttons, a check button and a feedback line for one :class:`Question`."""

    def __init__(self, question: Question, lang: str, number: int | None = None):
        self.question = question
        self.lang = lang
        words = MESSAGES.get(lang, MESSAGES["en"])
        prefix = f"<b>{html.escape(words['question'].format(n=number))}.</b> " if number else ""
        self.prompt = widgets.HTML(prefix + _inline_html(localize(question.question, lang)))
        self.radio = widgets.RadioButtons(
            options=[(localize(o, lang), i) for i, o in enumerate(question.options)],
            value=None,
            layout=widgets.Layout(width="auto"),
        )
        self.check_button = widgets.Button(description=words["check"], button_style="primary",
                                           layout=widgets.Layout(width="auto"))
        self.feedback = widgets.HTML("")
        self.correct: bool | None = None
        self.check_button.on_click(lambda _button: self.check())
        super().__init__([self.prompt, self.radio, widgets.HBox([self.check_button, self.feedback])],
                         layout=widgets.Layout(margin="0 0 12px 0"))

    def check(self) -> bool | None:
        """Grade the selected option and show the feedback; None when nothing is selected."""
        words = MESSAGES.get(self.lang, MESSAGES["en"])
        if self.radio.value is None:
            self.correct = None
            self.feedback.value = f"<span>{html.escape(words['choose'])}</span>"
            return None
        self.correct = self.radio.value == self.question.answer
        verdict = words["correct"] if self.correct else words["incorrect"]
        color = "#1e8449" if self.correct else "#c0392b"
        explanation = localize(self.question.explanation, self.lang)
        body = f'<b style="color:{color}">{html.escape(verdict)}</b>'
        if explanation:
            body += " " + _inline_html(explanation)
        self.feedback.value = f'<span style="white-space:normal">{body}</span>'
        return self.correct

    @property
    def feedback_text(self) -> str:
        """The feedback without HTML tags (what the learner reads)."""
        return html.unescape(re.sub(r"<[^>]+>", "", self.feedback.value))

    def plain_text(self, number: int | None = None) -> str:
        head = f"{number}. " if number else ""
        lines = [head + localize(self.question.question, self.lang)]
        lines += [f"   ( ) {localize(o, self.lang)}" for o in self.question.options]
        return "\n".join(lines)


class Quiz(widgets.VBox):
    """Several questions under one heading; ``Quiz([{"question":..., "options":..., "answer":...}, ...])``."""

    def __init__(self, questions, lang: str | None = None, title: Text | None = None):
        self.lang = lang or language()
        specs = [Question.from_spec(q) for q in questions]
        if not specs:
            raise ValueError("a quiz needs at least one question")
        numbered = len(specs) > 1
        self.questions = [QuestionWidget(q, self.lang, i + 1 if numbered else None) for i, q in enumerate(specs)]
        words = MESSAGES.get(self.lang, MESSAGES["en"])
        self.title = localize(title, self.lang) if title is not None else words["title"]
        heading = widgets.HTML(f"<h4 style='margin:4px 0'>📝 {html.escape(self.title)}</h4>")
        super().__init__([heading, *self.questions])

    @property
    def score(self) -> int:
        """How many questions were last checked as correct."""
        return sum(1 for q in self.questions if q.correct)

    def plain_text(self) -> str:
        numbered = len(self.questions) > 1
        parts = [f"[{self.title}]"]
        parts += [q.plain_text(i + 1 if numbered else None) for i, q in enumerate(self.questions)]
        return "\n".join(parts)

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        if isinstance(bundle, dict):
            bundle["text/plain"] = self.plain_text()
        return bundle


def quiz(question: Text, options: list, answer: Union[int, str], explanation: Text = "",
         lang: str | None = None) -> Quiz:
    """A one-question quiz: ``quiz("Which ...?", ["a", "b"], answer=1, explanation="...")``."""
    return Quiz([Question(question, list(options), answer, explanation)], lang=lang)
