"""bot/completion.py: completing what a member types from a known set, for autocomplete:
one name, or the last item of a comma-separated list with the ones before it kept."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.completion import MAX_CHOICE_LENGTH, MAX_CHOICES, complete_list, complete_one, matches

TOPICS = ["Machine Learning", "Deep Learning", "Generative AI", "NLP", "MLOps", "Math for ML"]


def test_names_starting_with_the_text_come_first_then_those_containing_it() -> None:
    assert matches("ml", TOPICS) == ["MLOps", "Math for ML"]
    assert matches("learn", TOPICS) == ["Machine Learning", "Deep Learning"]
    assert matches("  DEEP   learning ", TOPICS) == ["Deep Learning"]  # spaces and case
    assert matches("", TOPICS) == TOPICS
    assert matches("quantum", TOPICS) == []


def test_one_name() -> None:
    assert complete_one("gen", TOPICS) == ["Generative AI"]
    assert complete_one("", ["a" * 101, "b"]) == ["b"]  # too long for a choice: left out
    assert len(complete_one("", [f"T{n}" for n in range(40)])) == MAX_CHOICES


def test_the_last_item_is_completed_and_the_ones_before_kept() -> None:
    assert complete_list("nlp, mach", TOPICS) == ["NLP, Machine Learning"]
    assert complete_list("NLP,mach", TOPICS) == ["NLP, Machine Learning"]
    # an unknown item is kept as typed: the command refuses it, naming the nearest
    assert complete_list("Quantum  stuff, ml", TOPICS) == [
        "Quantum stuff, MLOps",
        "Quantum stuff, Math for ML",
    ]


def test_items_already_chosen_are_not_offered_again() -> None:
    assert complete_list("MLOps, ", TOPICS) == [
        "MLOps, Machine Learning",
        "MLOps, Deep Learning",
        "MLOps, Generative AI",
        "MLOps, NLP",
        "MLOps, Math for ML",
    ]
    assert complete_list("MLOps, ml", TOPICS) == ["MLOps, Math for ML"]
    assert complete_list("nlp, NLP, n", TOPICS) == [  # NLP once, and not offered again
        "NLP, Machine Learning",
        "NLP, Deep Learning",
        "NLP, Generative AI",
    ]
    every = ", ".join(TOPICS) + ", "
    assert complete_list(every, TOPICS) == []


def test_a_completion_longer_than_a_choice_is_left_out_not_cut() -> None:
    before = "x" * 90 + ", "  # 92 characters
    assert complete_list(before, TOPICS) == [before + "NLP", before + "MLOps"]
    assert complete_list("y" * 150 + ", n", TOPICS) == []
    assert complete_list("y" * 150, TOPICS) == []


def test_nothing_typed_offers_every_name_up_to_25() -> None:
    many = [f"Topic {n}" for n in range(30)]
    assert complete_list("", many) == many[:25]
    assert complete_list(" , ,", many) == many[:25]  # empty items are no items


names = st.text(st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=60).filter(
    lambda t: "," not in t and t.strip()
)


@given(typed=st.text(max_size=300), known=st.lists(names, max_size=40, unique=True))
def test_every_choice_fits_discord_and_keeps_what_was_typed(typed: str, known: list[str]) -> None:
    for complete in (complete_one, complete_list):
        choices = complete(typed, known)
        assert len(choices) <= MAX_CHOICES
        assert all(0 < len(c) <= MAX_CHOICE_LENGTH for c in choices)
    head = typed.rpartition(",")[0]
    kept = [" ".join(p.replace("\x00", "").split()) for p in head.split(",")]
    for choice in complete_list(typed, known):
        items = choice.split(", ")
        # the last item is a known name; before it, one item per distinct typed item
        assert any(choice.endswith(name) for name in known)
        assert len(items) >= len({k.casefold() for k in kept if k})
