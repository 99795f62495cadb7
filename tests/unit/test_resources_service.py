"""The library on a real SQLite file: add and dedupe, suggest and review, search, list,
progress and `next`, topics, the starter import, deleting a member's data."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.db import Database
from bot.errors import AlreadyExists, InvalidInput, NotAllowed, NotFound
from bot.resources import search as fts
from bot.resources.service import ResourceService
from bot.resources.starter import load_starter
from bot.taxonomy import DEFAULT_TOPICS

G = 500
OTHER_G = 501
ORG = 10
MEMBER = 20


class Clock:
    def __init__(self) -> None:
        self.now = float(datetime(2026, 7, 1, tzinfo=UTC).timestamp())

    def __call__(self) -> float:
        return self.now

    def tick(self, seconds: float = 1) -> None:
        self.now += seconds


@pytest.fixture
def rclock() -> Clock:
    return Clock()


@pytest.fixture
def svc(db: Database, rclock: Clock) -> ResourceService:
    return ResourceService(db, clock=rclock)


async def add(svc: ResourceService, n: int, title: str, **kw: str) -> int:
    r = await svc.library.add(
        G,
        kw.get("url", f"https://example.com/r/{n}"),
        title,
        kw.get("topic", "Machine Learning"),
        kw.get("level", "beginner"),
        ORG,
        kw.get("description", ""),
    )
    return r.id


async def outbox_rows(db: Database, kind_prefix: str = "resource.") -> list[dict]:
    rows = await db.fetchall(
        "SELECT kind, user_id, channel_id, payload, dedupe_key FROM outbox WHERE kind LIKE ?"
        " ORDER BY id",
        (kind_prefix + "%",),
    )
    return [{**dict(r), "payload": json.loads(r["payload"])} for r in rows]


# --- adding and dedupe ----------------------------------------------------------------
async def test_add_stores_an_approved_resource(svc: ResourceService) -> None:
    r = await svc.library.add(
        G,
        "https://Developers.Google.com/machine-learning/crash-course?utm_source=x#top",
        "  Machine   Learning Crash Course ",
        "machine learning",
        "Beginner",
        ORG,
        "Google's intro",
    )
    assert r.status == "approved" and r.topic == "Machine Learning" and r.level == "beginner"
    assert r.title == "Machine Learning Crash Course"
    assert r.url_canonical == "https://developers.google.com/machine-learning/crash-course"
    assert r.added_by == ORG and r.approved_at is not None


@pytest.mark.parametrize(
    "variant",
    [
        "https://example.com/page",
        "HTTPS://EXAMPLE.COM/page#part",
        "https://example.com:443/page?utm_medium=social&fbclid=1",
    ],
)
async def test_duplicate_names_the_existing_entry(svc: ResourceService, variant: str) -> None:
    first = await add(svc, 1, "The Page", url="https://example.com/page")
    with pytest.raises(AlreadyExists) as info:
        await svc.library.add(G, variant, "Again", "NLP", "advanced", ORG)
    assert "“The Page”" in str(info.value) and f"#{first}" in str(info.value)
    assert (await svc.finder.list_resources(G))[1] == 1


async def test_same_link_in_another_guild_is_fine(svc: ResourceService) -> None:
    await add(svc, 1, "A", url="https://example.com/page")
    other = await svc.library.add(OTHER_G, "https://example.com/page", "A", "NLP", "beginner", ORG)
    assert other.guild_id == OTHER_G


@pytest.mark.parametrize(
    ("kw", "says"),
    [
        ({"topic": "Quantum Basket Weaving"}, "not a topic here"),
        ({"topic": "Deep Lerning"}, "Did you mean Deep Learning"),
        ({"level": "expert"}, "not a level"),
        ({"level": "intermedate"}, "Did you mean intermediate"),
        ({"url": "javascript:alert(1)"}, "javascript:"),
        ({"url": "https:///nohost"}, "no host"),
    ],
)
async def test_bad_input_is_refused_without_change(
    svc: ResourceService, kw: dict[str, str], says: str
) -> None:
    with pytest.raises(InvalidInput, match=says):
        await add(svc, 1, "Title", **kw)
    assert (await svc.finder.list_resources(G))[1] == 0


async def test_level_prefix_is_accepted(svc: ResourceService) -> None:
    rid = await add(svc, 1, "T", level="adv")
    assert (await svc.library.get(G, rid)).level == "advanced"


async def test_title_limits(svc: ResourceService) -> None:
    with pytest.raises(InvalidInput, match="needs a title"):
        await add(svc, 1, "   ")
    with pytest.raises(InvalidInput, match="at most 200"):
        await add(svc, 1, "x" * 201)


# --- suggest and review ---------------------------------------------------------------
async def test_suggest_review_approve_sends_a_dm(svc: ResourceService, db: Database) -> None:
    s = await svc.library.suggest(
        G, MEMBER, "https://d2l.ai/?utm_source=discord", None, "Great book"
    )
    assert s.status == "pending" and s.title == "d2l.ai" and s.note == "Great book"
    assert s.topic is None and s.level is None
    assert await svc.review.pending_count(G) == 1
    assert (await svc.finder.search(G, "d2l"))[1] == 0  # not in the library yet
    with pytest.raises(NotFound):
        await svc.library.get(G, s.id)

    nxt = await svc.review.next_pending(G)
    assert nxt is not None and nxt.id == s.id
    approved = await svc.review.approve(
        G, s.id, ORG, "deep learning", "intermediate", title="Dive into Deep Learning"
    )
    assert approved.status == "approved" and approved.reviewed_by == ORG
    assert approved.title == "Dive into Deep Learning" and approved.topic == "Deep Learning"
    assert (await svc.finder.search(G, "dive"))[1] == 1
    assert await svc.review.pending_count(G) == 0

    [dm] = await outbox_rows(db)
    assert dm["kind"] == "resource.suggestion_approved" and dm["user_id"] == MEMBER
    assert dm["payload"]["title"] == "Dive into Deep Learning"
    assert dm["payload"]["topic"] == "Deep Learning" and dm["payload"]["level"] == "intermediate"
    assert dm["dedupe_key"] == f"resource:{s.id}:reviewed"

    with pytest.raises(AlreadyExists, match="already approved"):
        await svc.review.approve(G, s.id, ORG, "NLP", "beginner")
    with pytest.raises(AlreadyExists):
        await svc.review.reject(G, s.id, ORG)


async def test_reject_sends_a_dm_and_blocks_resuggestion(
    svc: ResourceService, db: Database
) -> None:
    s = await svc.library.suggest(G, MEMBER, "https://example.com/spam", "Spam")
    rejected = await svc.review.reject(G, s.id, ORG, "Not about AI")
    assert rejected.status == "rejected"
    [dm] = await outbox_rows(db)
    assert dm["kind"] == "resource.suggestion_rejected" and dm["user_id"] == MEMBER
    assert dm["payload"]["reason"] == "Not about AI"
    with pytest.raises(AlreadyExists, match="decided not to add it"):
        await svc.library.suggest(G, MEMBER + 1, "https://example.com/spam#again")
    # A curator can't bring it back (and nothing changes) ...
    before = await db.fetchall("SELECT * FROM resources")
    with pytest.raises(NotAllowed, match="only an organizer can add it"):
        await svc.library.add(
            G,
            "https://example.com/spam",
            "Fine",
            "NLP",
            "beginner",
            ORG + 1,
            may_overrule_decline=False,
        )
    assert await db.fetchall("SELECT * FROM resources") == before
    # ... an organizer may still add it on purpose.
    added = await svc.library.add(
        G, "https://example.com/spam", "Actually fine", "NLP", "beginner", ORG
    )
    assert added.id == s.id and added.status == "approved"


async def test_suggest_duplicates_and_pending_add(svc: ResourceService) -> None:
    rid = await add(svc, 1, "In Library", url="https://example.com/lib")
    with pytest.raises(AlreadyExists, match=f"#{rid}"):
        await svc.library.suggest(G, MEMBER, "https://example.com/lib?utm_source=a")
    s = await svc.library.suggest(G, MEMBER, "https://example.com/new", "New")
    with pytest.raises(AlreadyExists, match="waiting for review"):
        await svc.library.suggest(G, MEMBER + 1, "https://example.com/new")
    with pytest.raises(AlreadyExists, match="/resource review"):
        await add(svc, 2, "New", url="https://example.com/new")
    assert (await svc.review.next_pending(G, after_id=s.id)) is None


async def test_review_queue_order_and_skip(svc: ResourceService) -> None:
    a = await svc.library.suggest(G, MEMBER, "https://example.com/a")
    b = await svc.library.suggest(G, MEMBER, "https://example.com/b")
    first = await svc.review.next_pending(G)
    assert first is not None and first.id == a.id
    skipped = await svc.review.next_pending(G, after_id=a.id)
    assert skipped is not None and skipped.id == b.id
    assert await svc.review.next_pending(G, after_id=b.id) is None
    assert await svc.review.next_pending(OTHER_G) is None


async def test_a_member_cannot_flood_the_queue(svc: ResourceService) -> None:
    for i in range(10):
        await svc.library.suggest(G, MEMBER, f"https://example.com/s/{i}")
    with pytest.raises(InvalidInput, match="waiting for review"):
        await svc.library.suggest(G, MEMBER, "https://example.com/s/10")
    await svc.library.suggest(G, MEMBER + 1, "https://example.com/s/10")


# --- search -------------------------------------------------------------------------
async def test_title_match_ranks_above_description_match(svc: ResourceService) -> None:
    desc = await add(
        svc,
        1,
        "A gentle course",
        description="Covers attention, transformers and tokenizers in depth with labs.",
    )
    title = await add(svc, 2, "Transformers explained", description="A visual walk-through.")
    found, total = await svc.finder.search(G, "transformers")
    assert total == 2
    assert [r.id for r in found] == [title, desc]


async def test_prefix_matching_on_every_term(svc: ResourceService) -> None:
    cv = await add(svc, 1, "Convolutional networks for vision", topic="Computer Vision")
    await add(svc, 2, "Recurrent networks", topic="NLP")
    assert [r.id for r in (await svc.finder.search(G, "conv"))[0]] == [cv]
    assert [r.id for r in (await svc.finder.search(G, "conv netw"))[0]] == [cv]
    assert (await svc.finder.search(G, "netw"))[1] == 2
    # Topic text is searchable too, and a plural finds the singular.
    assert [r.id for r in (await svc.finder.search(G, "vision"))[0]] == [cv]
    assert (await svc.finder.search(G, "networks"))[1] == 2


@pytest.mark.parametrize("cap", [2, 5, 300])
async def test_title_tier_first_on_every_path(
    svc: ResourceService, monkeypatch: pytest.MonkeyPatch, cap: int
) -> None:
    # RANK_CAP decides between one exact bm25 pass, per-tier bm25 and newest first.
    monkeypatch.setattr(fts, "RANK_CAP", cap)
    titled = [await add(svc, i, f"Graph lesson {i}") for i in range(3)]
    described = [
        await add(svc, 10 + i, f"Lesson {i}", description="about graph methods") for i in range(4)
    ]
    seen: list[int] = []
    for page in range(4):
        found, total = await svc.finder.search(G, "graph", page=page, per_page=2)
        assert total == 7
        seen += [r.id for r in found]
    assert len(seen) == 7 and set(seen[:3]) == set(titled) and set(seen[3:]) == set(described)
    if cap == 2:  # tiers larger than the cap: newest first within each
        assert seen == titled[::-1] + described[::-1]


async def test_all_terms_must_match_before_falling_back_to_any(svc: ResourceService) -> None:
    both = await add(svc, 1, "Keras for computer vision")
    await add(svc, 2, "Keras basics")
    await add(svc, 3, "Vision transformers")
    found, total = await svc.finder.search(G, "keras vision")
    assert total == 1 and found[0].id == both
    found, total = await svc.finder.search(G, "keras zebra")  # nothing has both: any term, ranked
    assert total == 3 - 1


async def test_search_filters_paging_and_guild_isolation(svc: ResourceService) -> None:
    for i in range(12):
        await add(
            svc,
            i,
            f"Python lesson {i}",
            topic="Python for AI" if i % 2 else "Data Science",
            level="beginner" if i < 6 else "advanced",
        )
    await svc.library.add(
        OTHER_G, "https://example.com/x", "Python elsewhere", "NLP", "beginner", ORG
    )
    page0, total = await svc.finder.search(G, "python")
    assert total == 12 and len(page0) == 5
    page2, total2 = await svc.finder.search(G, "python", page=2)
    assert total2 == 12 and len(page2) == 2
    beyond, total3 = await svc.finder.search(G, "python", page=9)
    assert beyond == [] and total3 == 12
    ids = [r.id for p in range(3) for r in (await svc.finder.search(G, "python", page=p))[0]]
    assert len(set(ids)) == 12
    filtered, n = await svc.finder.search(G, "python", topic="python for ai", level="beginner")
    assert n == 3 and all(r.topic == "Python for AI" and r.level == "beginner" for r in filtered)
    with pytest.raises(InvalidInput, match="not a topic"):
        await svc.finder.search(G, "python", topic="Pythn for cooking")


async def test_no_match_and_empty_queries(svc: ResourceService) -> None:
    await add(svc, 1, "Something")
    assert await svc.finder.search(G, "nothinglikethis") == ([], 0)
    assert await svc.finder.search(G, "   ") == ([], 0)
    assert await svc.finder.search(G, "*** ((( ---") == ([], 0)


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '"unclosed',
        "*",
        "a*",
        "OR",
        "AND",
        "NOT",
        "NEAR(",
        "NEAR(a b, 2)",
        "(a OR b",
        ")",
        "-x",
        "x - y",
        "title:foo",
        "^start",
        "a + b",
        "{title description}: x",
        "c++",
        "'; DROP TABLE resources; --",
        "\x00",
        "ünïcödé naïve",
        "日本語",
    ],
)
async def test_fts_syntax_in_input_never_crashes(svc: ResourceService, query: str) -> None:
    await add(svc, 1, "Naive Bayes and NEAR duplicates: a OR b", description="c++ title x y")
    found, total = await svc.finder.search(G, query)
    assert total >= len(found)
    await svc.finder.autocomplete(G, query)


async def test_diacritics_fold(svc: ResourceService) -> None:
    rid = await add(svc, 1, "Naïve Bayes")
    assert [r.id for r in (await svc.finder.search(G, "naive"))[0]] == [rid]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=st.text(max_size=40))
async def test_any_text_is_a_safe_query(svc: ResourceService, query: str) -> None:
    found, total = await svc.finder.search(G, query)
    assert found == [] and total == 0  # empty library; the point is no exception


# --- list, get, resolve, autocomplete, remove -----------------------------------------
async def test_list_newest_first_with_filters(svc: ResourceService, rclock: Clock) -> None:
    ids = []
    for i in range(7):
        ids.append(await add(svc, i, f"R{i}", level="advanced" if i == 3 else "beginner"))
        rclock.tick(60)
    page0, total = await svc.finder.list_resources(G)
    assert total == 7 and [r.id for r in page0] == ids[::-1][:5]
    page1, _ = await svc.finder.list_resources(G, page=1)
    assert [r.id for r in page1] == ids[::-1][5:]
    adv, n = await svc.finder.list_resources(G, level="advanced")
    assert n == 1 and adv[0].id == ids[3]
    with pytest.raises(InvalidInput):
        await svc.finder.list_resources(G, page=-1)
    with pytest.raises(InvalidInput):
        await svc.finder.list_resources(G, per_page=26)


async def test_resolve_by_id_title_link_or_search(svc: ResourceService) -> None:
    a = await add(svc, 1, "Practical Deep Learning", url="https://course.fast.ai/")
    b = await add(svc, 2, "Deep Learning Book")
    assert (await svc.finder.resolve(G, str(a))).id == a
    assert (await svc.finder.resolve(G, f"#{b}")).id == b
    assert (await svc.finder.resolve(G, "practical deep learning")).id == a
    assert (await svc.finder.resolve(G, "https://course.fast.ai/#lesson1")).id == a
    assert (await svc.finder.resolve(G, "book")).id == b
    with pytest.raises(NotFound, match="several"):
        await svc.finder.resolve(G, "deep")
    with pytest.raises(NotFound, match="No resource"):
        await svc.finder.resolve(G, "zebra")
    with pytest.raises(NotFound):
        await svc.finder.resolve(G, "9999")


async def test_autocomplete(svc: ResourceService) -> None:
    a = await add(svc, 1, "Keras guides")
    b = await add(svc, 2, "PyTorch tutorials", description="also mentions keras")
    c = await add(svc, 3, "Other")
    assert [i for i, _ in await svc.finder.autocomplete(G, "ker")] == [a, b]
    assert [i for i, _ in await svc.finder.autocomplete(G, "")] == [c, b, a]
    assert (await svc.finder.autocomplete(G, str(c)))[0] == (c, "Other")


async def test_remove_takes_progress_with_it(svc: ResourceService, db: Database) -> None:
    rid = await add(svc, 1, "Gone soon")
    await svc.progress.mark_done(G, MEMBER, rid)
    removed = await svc.library.remove(G, rid)
    assert removed.title == "Gone soon"
    assert await db.fetchval("SELECT COUNT(*) FROM resource_progress") == 0
    assert (await svc.finder.search(G, "gone"))[1] == 0
    with pytest.raises(NotFound):
        await svc.library.remove(G, rid)
    with pytest.raises(NotFound):
        await svc.library.remove(OTHER_G, rid)


async def test_fts_index_follows_updates(svc: ResourceService, db: Database) -> None:
    rid = await add(svc, 1, "Old words", topic="NLP")
    await db.execute("UPDATE resources SET title = 'Fresh words' WHERE id = ?", (rid,))
    assert (await svc.finder.search(G, "old"))[1] == 0
    assert (await svc.finder.search(G, "fresh"))[1] == 1
    await db.execute("UPDATE resources SET topic = 'MLOps' WHERE id = ?", (rid,))
    assert (await svc.finder.search(G, "fresh", topic="NLP"))[1] == 0
    assert (await svc.finder.search(G, "fresh", topic="MLOps"))[1] == 1
    if db.dialect != "sqlite":
        return  # PostgreSQL's tsvector is a generated column of the row itself
    # The external-content index agrees with the table, and can be rebuilt from it.
    await db.execute("INSERT INTO resources_fts(resources_fts, rank) VALUES ('integrity-check', 1)")
    await db.execute("INSERT INTO resources_fts(resources_fts) VALUES ('rebuild')")
    assert (await svc.finder.search(G, "fresh", topic="MLOps"))[1] == 1


async def test_filter_tokens_cannot_be_forged(svc: ResourceService) -> None:
    mine = await add(svc, 1, "Kernel methods")
    # Someone in another guild writes this guild's filter token into a title.
    await svc.library.add(
        OTHER_G, "https://example.com/evil", f"~g{G} kernel ~g{G}", "NLP", "beginner", 1
    )
    await svc.library.suggest(G, MEMBER, "https://example.com/pending", f"kernel ~g{G}")
    found, total = await svc.finder.search(G, "kernel")
    assert total == 1 and [r.id for r in found] == [mine]
    assert (await svc.finder.search(G, f"g{G}"))[1] == 0


# --- progress and next ----------------------------------------------------------------
async def test_mark_done_and_progress(svc: ResourceService) -> None:
    a = await add(svc, 1, "A", topic="NLP")
    await add(svc, 2, "B", topic="NLP")
    c = await add(svc, 3, "C", topic="MLOps")
    assert await svc.progress.mark_done(G, MEMBER, a) is True
    assert await svc.progress.mark_done(G, MEMBER, a) is False  # a repeat changes nothing
    await svc.progress.mark_done(G, MEMBER, c)
    prog = {p.topic: (p.done, p.total) for p in await svc.progress.per_topic(G, MEMBER)}
    assert prog == {"NLP": (1, 2), "MLOps": (1, 1)}
    assert [p.topic for p in await svc.progress.per_topic(G, MEMBER)] == [
        "NLP",
        "MLOps",
    ]  # taxonomy order
    assert {p.topic: p.done for p in await svc.progress.per_topic(G, MEMBER + 1)} == {
        "NLP": 0,
        "MLOps": 0,
    }
    assert await svc.progress.unmark_done(G, MEMBER, a) is True
    assert await svc.progress.is_done(G, MEMBER, a) is False
    with pytest.raises(NotFound):
        await svc.progress.mark_done(G, MEMBER, 999)
    pending = await svc.library.suggest(G, MEMBER, "https://example.com/p")
    with pytest.raises(NotFound):
        await svc.progress.mark_done(G, MEMBER, pending.id)


async def test_next_starts_at_beginner_in_any_topic(svc: ResourceService) -> None:
    await add(svc, 1, "Adv", topic="NLP", level="advanced")
    beg = await add(svc, 2, "Beg", topic="MLOps", level="beginner")
    pick = await svc.progress.next_for(G, MEMBER)
    assert pick.level == "beginner" and pick.topic is None
    assert pick.levels == ("beginner", "intermediate")
    assert pick.resource is not None and pick.resource.id == beg


async def test_next_follows_level_and_topic_rule(svc: ResourceService, rclock: Clock) -> None:
    nlp_b1 = await add(svc, 1, "NLP b1", topic="NLP", level="beginner")
    nlp_i1 = await add(svc, 2, "NLP i1", topic="NLP", level="intermediate")
    nlp_i2 = await add(svc, 3, "NLP i2", topic="NLP", level="intermediate")
    nlp_a1 = await add(svc, 4, "NLP a1", topic="NLP", level="advanced")
    cv_i = await add(svc, 5, "CV i", topic="Computer Vision", level="intermediate")
    cv_b = await add(svc, 6, "CV b", topic="Computer Vision", level="beginner")

    # One beginner NLP done: level beginner, topic NLP, beginner first, then intermediate.
    await svc.progress.mark_done(G, MEMBER, nlp_b1)
    pick = await svc.progress.next_for(G, MEMBER)
    assert (pick.topic, pick.level) == ("NLP", "beginner")
    assert pick.resource is not None and pick.resource.id == nlp_i1  # no beginner left: one above

    # Two intermediate done vs one beginner: level intermediate; advanced is one above.
    rclock.tick()
    await svc.progress.mark_done(G, MEMBER, nlp_i1)
    await svc.progress.mark_done(G, MEMBER, cv_i)
    pick = await svc.progress.next_for(G, MEMBER)
    assert pick.level == "intermediate" and pick.topic == "NLP"
    assert pick.resource is not None and pick.resource.id == nlp_i2
    await svc.progress.mark_done(G, MEMBER, nlp_i2)
    pick = await svc.progress.next_for(G, MEMBER)
    assert pick.resource is not None and pick.resource.id == nlp_a1

    # Naming a topic: intermediate or advanced only, so the beginner CV one is not offered.
    pick = await svc.progress.next_for(G, MEMBER, topic="computer vision")
    assert pick.topic == "Computer Vision" and pick.resource is None
    assert cv_b  # still there, just below the member's level

    await svc.progress.mark_done(G, MEMBER, nlp_a1)
    pick = await svc.progress.next_for(G, MEMBER)
    assert pick.resource is None and pick.topic == "NLP"


async def test_level_ties_go_up_and_topic_ties_go_to_recent(
    svc: ResourceService, rclock: Clock
) -> None:
    b = await add(svc, 1, "b", topic="MLOps", level="beginner")
    i = await add(svc, 2, "i", topic="NLP", level="intermediate")
    await add(svc, 3, "nlp next", topic="NLP", level="advanced")
    mlops_next = await add(svc, 4, "mlops next", topic="MLOps", level="intermediate")
    await svc.progress.mark_done(G, MEMBER, i)
    rclock.tick(10)
    await svc.progress.mark_done(G, MEMBER, b)
    assert await svc.progress.level_of(G, MEMBER) == "intermediate"
    pick = await svc.progress.next_for(G, MEMBER)
    assert pick.topic == "MLOps" and pick.resource is not None
    assert pick.resource.id == mlops_next


# --- topics and settings --------------------------------------------------------------
async def test_topics_are_seeded_once_and_can_be_added(svc: ResourceService) -> None:
    tax = svc.taxonomy
    assert tuple(await tax.topics(G)) == DEFAULT_TOPICS
    assert await tax.add_topic(G, "  Reinforcement   Learning ", created_by=ORG) == (
        "Reinforcement Learning"
    )
    with pytest.raises(AlreadyExists):
        await tax.add_topic(G, "reinforcement learning")
    with pytest.raises(AlreadyExists):
        await tax.add_topic(G, "nlp")
    topics = await tax.topics(G)
    assert topics[: len(DEFAULT_TOPICS)] == list(DEFAULT_TOPICS)
    assert topics[-1] == "Reinforcement Learning"
    assert await tax.resolve_topic(G, "REINFORCEMENT learning") == "Reinforcement Learning"
    rid = await add(svc, 1, "RL intro", topic="reinforcement learning")
    assert (await svc.library.get(G, rid)).topic == "Reinforcement Learning"
    assert await tax.search_topics(G, "le") == [
        "Machine Learning",
        "Deep Learning",
        "Responsible AI",
        "Reinforcement Learning",
    ]
    assert (await tax.search_topics(G, "Rein"))[0] == "Reinforcement Learning"
    assert await tax.topics(OTHER_G) == list(DEFAULT_TOPICS)


async def test_topic_limits(svc: ResourceService) -> None:
    tax = svc.taxonomy
    with pytest.raises(InvalidInput):
        await tax.add_topic(G, "  ")
    with pytest.raises(InvalidInput, match="at most 50"):
        await tax.add_topic(G, "x" * 51)
    for i in range(25 - len(DEFAULT_TOPICS)):
        await tax.add_topic(G, f"Topic {i}")
    with pytest.raises(InvalidInput, match="25 topics"):
        await tax.add_topic(G, "One too many")


# --- starter and privacy --------------------------------------------------------------
async def test_import_starter_skips_what_is_there(svc: ResourceService) -> None:
    entries = load_starter()
    await svc.library.add(
        G, entries[0].url + "?utm_source=x", "Mine already", "NLP", "advanced", ORG
    )
    first = await svc.library.import_starter(G, added_by=ORG)
    assert first.total == len(entries) and first.added == len(entries) - 1 and first.skipped == 1
    again = await svc.library.import_starter(G)
    assert again.added == 0 and again.skipped == len(entries)
    assert (await svc.finder.list_resources(G))[1] == len(entries)
    mine = await svc.library.find_by_url(G, entries[0].url)
    assert mine is not None and mine.title == "Mine already"  # what was there is untouched
    found, _ = await svc.finder.search(G, "zero hero")
    assert [r.title for r in found] == ["Neural Networks: Zero to Hero"]


async def test_delete_member_data(svc: ResourceService, db: Database) -> None:
    rid = await add(svc, 1, "Kept")
    await svc.progress.mark_done(G, MEMBER, rid)
    pending = await svc.library.suggest(G, MEMBER, "https://example.com/mine", note="my note")
    approved = await svc.library.suggest(G, MEMBER, "https://example.com/accepted", note="keep?")
    await svc.review.approve(G, approved.id, ORG, "NLP", "beginner")
    counts = await svc.delete_member_data(G, MEMBER)
    assert counts["progress"] == 1 and counts["suggestions"] == 1
    assert all(p.done == 0 for p in await svc.progress.per_topic(G, MEMBER))
    with pytest.raises(NotFound):
        await svc.library.get(G, pending.id, approved_only=False)
    kept = await svc.library.get(G, approved.id)
    assert kept.suggested_by is None and kept.note is None
    assert (
        await db.fetchval(
            "SELECT COUNT(*) FROM resources WHERE suggested_by = ? OR added_by = ?",
            (MEMBER, MEMBER),
        )
        == 0
    )
