"""A vote in one PostgreSQL statement: the Vote row, its count and its outbox event.

The portable path (services.vote_cast_portably) takes ten round trips and builds five ORM
queries; this takes one, in the statement's own transaction, so the event still commits if
and only if the vote does. Each part runs only if the one before it did:

- `vote` inserts the row if the choice is one of the poll's, the poll is open, and the
  user has no vote in it (the unique constraint decides that, races included: a second vote
  waits for the first one's transaction, then inserts nothing);
- `counted` adds one to the choice under its row lock (never read-modify-write);
- `event` writes the outbox row, with the same payload as services.event_data;
- the final SELECT returns a row only if the vote was counted, and wakes the relay with a
  NOTIFY, which PostgreSQL delivers at commit, when a broker is configured.

The table and column names are the models' (polls.Vote, polls.Choice, polls.Question,
events.Outbox); tests/test_services.py runs every vote test through this path and the
portable one, and compares the rows they write.
"""

import uuid
from datetime import datetime

from django.conf import settings
from django.db import connection
from django.urls import reverse

from guidebook.core.caching import invalidate
from guidebook.events.services import deliver_after_commit
from guidebook.events.topology import NOTIFY_CHANNEL

CAST = """
WITH vote AS (
    INSERT INTO polls_vote (user_id, question_id, choice_id, created)
    SELECT %(user)s, question.id, choice.id, %(now)s
    FROM polls_choice AS choice JOIN polls_question AS question ON question.id = choice.question_id
    WHERE choice.id = %(choice)s AND question.id = %(question)s AND question.pub_date <= %(now)s
        AND (question.closes_at IS NULL OR question.closes_at > %(now)s)
    ON CONFLICT (user_id, question_id) DO NOTHING
    RETURNING question_id, choice_id
), counted AS (
    UPDATE polls_choice SET votes = votes + 1 WHERE id IN (SELECT choice_id FROM vote)
), event AS (
    INSERT INTO events_outbox (id, type, version, data, created, attempts, last_error)
    SELECT %(event)s, %(type)s, 1,
        jsonb_build_object('question_id', question.id, 'question', question.text, 'url', %(url)s),
        %(now)s, 0, ''
    FROM vote JOIN polls_question AS question ON question.id = vote.question_id
)
SELECT CASE WHEN %(wake)s THEN pg_notify(%(channel)s, '')::text END FROM vote
"""


def cast(*, user_id: int, question_id: int, choice_id: int, now: datetime, event_type: str) -> bool:
    """Count the vote; False if nothing was written (a refusal, which the caller explains)."""
    event_id = uuid.uuid4()
    with connection.cursor() as cursor:
        cursor.execute(
            CAST,
            {
                "user": user_id,
                "question": question_id,
                "choice": choice_id,
                "now": now,
                "event": event_id,
                "type": event_type,
                "url": reverse("polls:results", args=[question_id]),
                "wake": bool(settings.EVENTS_BROKER_URL),
                "channel": NOTIFY_CHANNEL,
            },
        )
        counted = cursor.fetchone() is not None
    if counted:
        # What the Vote row's post_save would have done (a raw INSERT sends no signal).
        invalidate(f"poll:{question_id}:votes")
        if not settings.EVENTS_BROKER_URL:
            deliver_after_commit(event_id)
    return counted
