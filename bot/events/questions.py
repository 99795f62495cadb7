"""Registration questions and answers, pure: parsing, limits, storage form."""

from __future__ import annotations

import json
from collections.abc import Sequence

from bot.errors import InvalidInput
from bot.events.models import MAX_ANSWER, MAX_QUESTION, MAX_QUESTIONS


class AnswersRequired(InvalidInput):
    """The event asks questions and the member gave no (or too few) answers: the cog opens
    the modal with `questions` instead of showing the message."""

    def __init__(self, title: str, questions: Sequence[str]) -> None:
        n = len(questions)
        super().__init__(
            f"“{title}” asks {n} question{'s' if n != 1 else ''} when you register: "
            "answer them to RSVP."
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
    limit = f"up to {MAX_QUESTIONS} questions separated by ';'"
    if len(parts) > MAX_QUESTIONS:
        raise InvalidInput(
            f"An event can ask at most {MAX_QUESTIONS} questions (you gave {len(parts)}): "
            f"give {limit}."
        )
    seen: dict[str, int] = {}
    for n, question in enumerate(parts, 1):
        if not question:
            raise InvalidInput(
                f"Question {n} is empty: put a question between each pair of ';' ({limit})."
            )
        if len(question) > MAX_QUESTION:
            raise InvalidInput(
                f"Question {n} has {len(question)} characters; each question can have at most "
                f"{MAX_QUESTION} (Discord's limit for a form label)."
            )
        key = question.casefold()
        if key in seen:
            raise InvalidInput(f"Question {n} repeats question {seen[key]}; ask each only once.")
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
            f"“{title}” asks {len(questions)} questions but {len(answers)} answers came: "
            "the questions changed, so click Going again."
        )
    pairs = []
    for n, (question, answer) in enumerate(zip(questions, answers, strict=True), 1):
        cleaned = answer.replace("\x00", "").strip()  # PostgreSQL text holds no NUL
        if not cleaned:
            raise InvalidInput(f"Answer question {n} (“{question}”): every answer is required.")
        if len(cleaned) > MAX_ANSWER:
            raise InvalidInput(
                f"The answer to question {n} has {len(cleaned)} characters; "
                f"each answer can have at most {MAX_ANSWER}."
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
