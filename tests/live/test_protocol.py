"""The live-room protocol against a real uvicorn server with the `websockets` client."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from meeting.clock import FrozenClock
from tests.factories import pacific
from tests.live.conftest import People
from tests.servers import frames_until_closed, open_room, receive_json, receive_until, ws_url

pytestmark = pytest.mark.integration

ROOM = "PLEN-01"  # 09:00-10:30 Pacific on 5 December; the test clock reads 10:20


def test_snapshot_tells_who_i_am_and_the_room_state(server: str, people: People) -> None:
    with open_room(server, ROOM, people.alice) as ws:
        snapshot = receive_json(ws)

    assert (snapshot["type"], snapshot["state"], snapshot["last_event_id"]) == (
        "snapshot",
        "live",
        0,
    )
    assert snapshot["you"] == {
        "id": people.alice_id,
        "name": "Alice Adeyemi",
        "moderator": False,
        "muted": False,
    }
    assert (snapshot["chat"], snapshot["questions"], snapshot["poll"]) == ([], [], None)


def test_chat_reaches_everyone_with_rising_ids(server: str, people: People) -> None:
    with open_room(server, ROOM, people.alice) as alice, open_room(server, ROOM, people.bob) as bob:
        receive_json(alice), receive_json(bob)

        alice.send(json.dumps({"type": "chat", "text": "Hello <b>all</b> — grüße"}))
        bob.send(json.dumps({"type": "chat", "text": "Hi Alice"}))
        seen_by_bob = [receive_until(bob, "chat"), receive_until(bob, "chat")]
        seen_by_alice = [receive_until(alice, "chat"), receive_until(alice, "chat")]

    # Both were sent at once: either may be first, but everyone sees the same order.
    assert [m["id"] for m in seen_by_bob] == [1, 2]
    assert sorted((m["user"]["name"], m["text"]) for m in seen_by_bob) == [
        ("Alice Adeyemi", "Hello <b>all</b> — grüße"),
        ("Bob Sørensen", "Hi Alice"),
    ]
    assert seen_by_alice == seen_by_bob


def test_questions_upvote_once_and_take_it_back(server: str, people: People) -> None:
    with open_room(server, ROOM, people.alice) as alice, open_room(server, ROOM, people.bob) as bob:
        receive_json(alice), receive_json(bob)
        alice.send(json.dumps({"type": "ask", "text": "First question?"}))
        first = receive_until(bob, "question")["question"]
        alice.send(json.dumps({"type": "ask", "text": "Second question?"}))
        second = receive_until(bob, "question")["question"]

        bob.send(json.dumps({"type": "upvote", "question_id": second["id"]}))
        after_up = receive_until(alice, "question_votes")
        bob.send(json.dumps({"type": "upvote", "question_id": second["id"]}))
        again = receive_until(bob, "error")
        bob.send(json.dumps({"type": "unvote", "question_id": second["id"]}))
        after_down = receive_until(alice, "question_votes")
        bob.send(json.dumps({"type": "upvote", "question_id": second["id"]}))
        receive_until(alice, "question_votes")

    with open_room(server, ROOM, people.bob) as late:
        order = [(q["text"], q["votes"], q["upvoted"]) for q in receive_json(late)["questions"]]

    assert (after_up["question_id"], after_up["votes"], after_down["votes"]) == (second["id"], 1, 0)
    assert (again["code"], again["message"]) == (
        "refused",
        "you have already upvoted this question",
    )
    assert order == [("Second question?", 1, True), ("First question?", 0, False)]
    assert first["votes"] == 0


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "pin", "question_id": 1},
        {"type": "answer", "question_id": 1},
        {"type": "dismiss", "question_id": 1},
        {"type": "remove", "event_id": 1},
        {"type": "mute", "user_id": 1},
        {"type": "poll_open", "question": "Q?", "options": ["a", "b"]},
        {"type": "poll_close", "poll_id": 1},
    ],
)
def test_attendees_cannot_moderate(server: str, people: People, frame: dict[str, object]) -> None:
    with open_room(server, ROOM, people.alice) as alice:
        receive_json(alice)
        alice.send(json.dumps(frame))
        error = receive_until(alice, "error")

    assert (error["code"], error["message"]) == ("forbidden", "only moderators may do that")


def test_moderator_removes_a_message_and_mutes_its_author(server: str, people: People) -> None:
    with open_room(server, ROOM, people.alice) as alice, open_room(server, ROOM, people.mod) as mod:
        receive_json(alice), receive_json(mod)
        alice.send(json.dumps({"type": "chat", "text": "spam spam"}))
        message = receive_until(mod, "chat")

        mod.send(json.dumps({"type": "remove", "event_id": message["id"]}))
        removed = receive_until(alice, "chat_removed")
        mod.send(json.dumps({"type": "mute", "user_id": message["user"]["id"]}))
        muted = receive_until(alice, "muted")
        alice.send(json.dumps({"type": "chat", "text": "more spam"}))
        refused = receive_until(alice, "error")

    with open_room(server, ROOM, people.bob) as bob:
        snapshot = receive_json(bob)
    with open_room(server, ROOM, people.bob, last_event_id=0) as replay:
        first = receive_json(replay)

    assert (removed["event_id"], muted["user_id"]) == (message["id"], people.alice_id)
    assert refused == {
        "type": "error",
        "code": "refused",
        "message": "a moderator has muted you in this room",
    }
    assert snapshot["chat"] == []
    assert (first["id"], first.get("removed"), "text" in first) == (message["id"], True, False)


def test_moderator_pins_answers_and_dismisses(server: str, people: People) -> None:
    with open_room(server, ROOM, people.alice) as alice, open_room(server, ROOM, people.mod) as mod:
        receive_json(alice), receive_json(mod)
        alice.send(json.dumps({"type": "ask", "text": "Dose?"}))
        question = receive_until(mod, "question")["question"]

        updates = []
        for frame in (
            {"type": "pin", "question_id": question["id"]},
            {"type": "answer", "question_id": question["id"]},
            {"type": "dismiss", "question_id": question["id"]},
        ):
            mod.send(json.dumps(frame))
            updates.append(receive_until(alice, "question_updated")["question"])

    assert [(q["pinned"], q["answered"], q["dismissed"]) for q in updates] == [
        (True, False, False),
        (False, True, False),
        (False, True, True),
    ]


def test_poll_one_vote_per_person_changeable_while_open(server: str, people: People) -> None:
    with (
        open_room(server, ROOM, people.alice) as alice,
        open_room(server, ROOM, people.bob) as bob,
        open_room(server, ROOM, people.mod) as mod,
    ):
        for ws in (alice, bob, mod):
            receive_json(ws)
        mod.send(
            json.dumps(
                {
                    "type": "poll_open",
                    "question": "Best anticoagulant?",
                    "options": ["Apixaban", "Rivaroxaban", "Warfarin"],
                }
            )
        )
        poll = receive_until(alice, "poll_opened")["poll"]
        alice.send(json.dumps({"type": "vote", "poll_id": poll["id"], "option": 0}))
        bob.send(json.dumps({"type": "vote", "poll_id": poll["id"], "option": 0}))
        bob.send(json.dumps({"type": "vote", "poll_id": poll["id"], "option": 2}))
        results = receive_until(mod, "poll_results")["poll"]["results"]
        while results != [1, 0, 1]:
            results = receive_until(mod, "poll_results")["poll"]["results"]
        mod.send(json.dumps({"type": "poll_close", "poll_id": poll["id"]}))
        closed = receive_until(alice, "poll_closed")["poll"]
        alice.send(json.dumps({"type": "vote", "poll_id": poll["id"], "option": 1}))
        late = receive_until(alice, "error")

    assert (closed["open"], closed["results"]) == (False, [1, 0, 1])
    assert late["message"] == "this poll is closed"


def test_arrivals_see_the_latest_poll_results_and_their_own_vote(
    server: str, people: People
) -> None:
    with open_room(server, ROOM, people.mod) as mod, open_room(server, ROOM, people.alice) as alice:
        receive_json(mod), receive_json(alice)
        mod.send(json.dumps({"type": "poll_open", "question": "Which?", "options": ["A", "B"]}))
        poll = receive_until(alice, "poll_opened")["poll"]
        with open_room(server, ROOM, people.bob) as bob:  # the room is read with the poll open
            before = receive_json(bob)["poll"]
        alice.send(json.dumps({"type": "vote", "poll_id": poll["id"], "option": 1}))
        while receive_until(mod, "poll_results")["poll"]["results"] != [0, 1]:
            pass
        with open_room(server, ROOM, people.alice) as alice_again:
            mine = receive_json(alice_again)["poll"]
        with open_room(server, ROOM, people.bob) as bob:
            theirs = receive_json(bob)["poll"]

    assert (before["results"], before["my_vote"]) == ([0, 0], None)
    assert (mine["results"], mine["my_vote"]) == ([0, 1], 1)
    assert (theirs["results"], theirs["my_vote"]) == ([0, 1], None)


def test_resume_replays_exactly_what_was_missed(server: str, people: People) -> None:
    with open_room(server, ROOM, people.bob) as bob:
        receive_json(bob)
        with open_room(server, ROOM, people.alice) as alice:
            receive_json(alice)
            for text in ("one", "two"):
                bob.send(json.dumps({"type": "chat", "text": text}))
                receive_until(alice, "chat")
            seen = 2
        for text in ("three", "four"):  # alice is away
            bob.send(json.dumps({"type": "chat", "text": text}))
            receive_until(bob, "chat")

        with open_room(server, ROOM, people.alice, last_event_id=seen) as alice:
            replayed = [receive_until(alice, "chat"), receive_until(alice, "chat")]
            bob.send(json.dumps({"type": "chat", "text": "five"}))
            live = receive_until(alice, "chat")

    assert [(m["id"], m["text"]) for m in [*replayed, live]] == [
        (3, "three"),
        (4, "four"),
        (5, "five"),
    ]


def test_hostile_frames_get_error_frames_and_the_socket_stays_usable(
    server: str, people: People
) -> None:
    frames: list[str | bytes] = [
        "{not json",
        "[1, 2]",
        json.dumps({"type": "shout"}),
        json.dumps({"type": "chat"}),
        json.dumps({"type": "chat", "text": "x" * 5000}),
        b"\x00\x01binary",
        json.dumps({"type": "vote", "poll_id": "one", "option": 0}),
    ]
    with open_room(server, ROOM, people.alice) as alice:
        receive_json(alice)
        codes = []
        for frame in frames:
            alice.send(frame)
            codes.append(receive_until(alice, "error")["code"])
        alice.send(json.dumps({"type": "ping"}))
        pong = receive_until(alice, "pong")

    assert codes == [
        "bad_json",
        "not_object",
        "unknown_type",
        "missing_field",
        "too_big",
        "binary_not_supported",
        "bad_field",
    ]
    assert pong == {"type": "pong"}


def test_repeated_bad_frames_close_with_4400(server: str, people: People) -> None:
    with open_room(server, ROOM, people.alice) as alice:
        receive_json(alice)
        for _ in range(10):
            alice.send("{not json")
        frames, code = frames_until_closed(alice)

    assert code == 4400
    assert [f["code"] for f in frames if f["type"] == "error"] == ["bad_json"] * 10


def test_huge_frame_is_refused_by_the_transport_with_1009(server: str, people: People) -> None:
    with open_room(server, ROOM, people.alice) as alice:
        receive_json(alice)
        try:
            alice.send(json.dumps({"type": "chat", "text": "x" * 2_000_000}))
        except ConnectionClosed as closed:  # refused before the client finished writing it
            code = closed.rcvd.code if closed.rcvd else 1006
        else:
            _frames, code = frames_until_closed(alice)

    assert code == 1009


def test_flood_is_rate_limited_then_closed_while_others_carry_on(
    server: str, people: People
) -> None:
    with open_room(server, ROOM, people.alice) as alice, open_room(server, ROOM, people.bob) as bob:
        receive_json(alice), receive_json(bob)
        for i in range(40):
            alice.send(json.dumps({"type": "chat", "text": f"flood {i}"}))
        frames, code = frames_until_closed(alice)
        errors = [f["code"] for f in frames if f["type"] == "error"]
        bob.send(json.dumps({"type": "chat", "text": "still here"}))
        while (message := receive_until(bob, "chat"))["text"] != "still here":
            pass

    assert (set(errors), errors.count("rate_limited"), code) == ({"rate_limited"}, 20, 4429)
    assert message["user"]["name"] == "Bob Sørensen"


def test_foreign_origin_and_strangers_are_refused_at_the_handshake(
    server: str, people: People
) -> None:
    url = ws_url(server, ROOM)
    attempts = [
        {"origin": "https://evil.invalid", "additional_headers": {"Cookie": people.alice}},
        {"origin": server},
    ]

    statuses = []
    for kwargs in attempts:
        with pytest.raises(InvalidStatus) as refused:
            connect(url, open_timeout=5, **kwargs)  # type: ignore[arg-type]
        statuses.append(refused.value.response.status_code)

    assert statuses == [403, 403]


def test_ineligible_person_cannot_join_a_trainee_room(server: str, people: People) -> None:
    with pytest.raises(InvalidStatus) as refused:
        open_room(server, "LUNCH-T1", people.faculty)

    assert refused.value.response.status_code == 403


def test_room_state_follows_the_clock(server: str, people: People, clock: FrozenClock) -> None:
    clock.set(pacific(5, 8, 50))  # lobby: the plenary starts at 09:00

    with open_room(server, ROOM, people.alice) as alice:
        first = receive_json(alice)["state"]
        clock.set(pacific(5, 9))
        live = receive_until(alice, "state")["state"]
        clock.advance(timedelta(minutes=90))
        ended = receive_until(alice, "state")["state"]
        alice.send(json.dumps({"type": "chat", "text": "too late"}))
        refused = receive_until(alice, "error")

    assert (first, live, ended) == ("lobby", "live", "ended")
    assert refused["code"] == "room_closed"
