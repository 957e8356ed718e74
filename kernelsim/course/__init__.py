"""Helpers for the course notebooks: self-check quizzes in the learner's language.

``from kernelsim.course import quiz, Quiz`` gives ungraded multiple-choice
questions with immediate feedback (see :mod:`kernelsim.course.quiz`).
"""

from .quiz import Question, Quiz, QuestionWidget, language, localize, quiz

__all__ = ["Question", "Quiz", "QuestionWidget", "language", "localize", "quiz"]
