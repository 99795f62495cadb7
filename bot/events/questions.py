"""Registration questions and answers, pure: parsing, limits, storage form."""

from __future__ import annotations

import json
from collections.abc import Sequence

from bot.errors import InvalidInput
from bot.events.models import MAX_ANSWER, MAX_QUESTION, MAX_QUESTIONS
from bot.i18n import _, _n


class AnswersRequired(InvalidInput):
    """The event asks questions and the member gave no (or too few) answers: the cog opens
    the modal with `questions` instead of showing the message."""

    def __init__(self, title: str, questions: Sequence[str]) -> None:
        n = len(questions)
        super().__init__(
            _n(
                "“{title}” asks {n} question when you register: answer them to RSVP.",
                "“{title}” asks {n} questions when you register: answer them to RSVP.",
                n,
                title=title,
                n=n,
            )
        )
        self.questions = tuple(questions)


def parse_questions(text: str | None) -> tuple[str, ...]:
    """`q1; q2; q3` → the questions. Empty text → none. A trailing `;` is ignored; an empty
    question, a repeated one, more than 4, or one over 45 characters is refused."""
    if text is None or not text.strip():
        return ()
    parts = [" ".join(p.split()) for p in text.split(";")]
    if parts[-1] == "":
        parts.pop()
    if len(parts) > MAX_QUESTIONS:
        raise InvalidInput(
            _(
                "An event can ask at most {max} questions (you gave {n}): "
                "give up to {max} questions separated by ';'.",
                max=MAX_QUESTIONS,
                n=len(parts),
            )
        )
    seen: dict[str, int] = {}
    for n, question in enumerate(parts, 1):
        if not question:
            raise InvalidInput(
                _(
                    "Question {n} is empty: put a question between each pair of ';' "
                    "(up to {max} questions separated by ';').",
                    n=n,
                    max=MAX_QUESTIONS,
                )
            )
        if len(question) > MAX_QUESTION:
            raise InvalidInput(
                _(
                    "Question {n} has {length} characters; each question can have at most "
                    "{max} (Discord's limit for a form label).",
                    n=n,
                    length=len(question),
                    max=MAX_QUESTION,
                )
            )
        key = question.casefold()
        if key in seen:
            raise InvalidInput(
                _(
                    "Question {n} repeats question {first}; ask each only once.",
                    n=n,
                    first=seen[key],
                )
            )
        seen[key] = n
    return tuple(parts)


def clean_answers(
    title: str, questions: Sequence[str], answers: Sequence[str] | None
) -> tuple[tuple[str, str], ...]:
    """(question, answer) pairs, each answer required and at most 200 characters."""
    if not questions:
        return ()  # the questions were cleared while the form was open: nothing to keep
    if answers is None or len(answers) < len(questions):
        raise AnswersRequired(title, questions)
    if len(answers) > len(questions):
        raise InvalidInput(
            _(
                "“{title}” asks {questions} questions but {answers} answers came: "
                "the questions changed, so click Going again.",
                title=title,
                questions=len(questions),
                answers=len(answers),
            )
        )
    pairs = []
    for n, (question, answer) in enumerate(zip(questions, answers, strict=True), 1):
        cleaned = answer.replace("\x00", "").strip()  # PostgreSQL text holds no NUL
        if not cleaned:
            raise InvalidInput(
                _(
                    "Answer question {n} (“{question}”): every answer is required.",
                    n=n,
                    question=question,
                )
            )
        if len(cleaned) > MAX_ANSWER:
            raise InvalidInput(
                _(
                    "The answer to question {n} has {length} characters; "
                    "each answer can have at most {max}.",
                    n=n,
                    length=len(cleaned),
                    max=MAX_ANSWER,
                )
            )
        pairs.append((question, cleaned))
    return tuple(pairs)


def dump_questions(questions: Sequence[str]) -> str | None:
    return json.dumps(list(questions), ensure_ascii=False) if questions else None


def load_questions(stored: str | None) -> tuple[str, ...]:
    return tuple(json.loads(stored)) if stored else ()


def dump_answers(pairs: Sequence[tuple[str, str]]) -> str | None:
    return json.dumps([list(p) for p in pairs], ensure_ascii=False) if pairs else None


def load_answers(stored: str | None) -> tuple[tuple[str, str], ...]:
    return tuple((q, a) for q, a in json.loads(stored)) if stored else ()
