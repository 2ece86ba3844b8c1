import pytest

from guidebook.events.topology import consumer_queue, dead_letter_queue, topic_matches


@pytest.mark.parametrize(
    ("pattern", "key", "matches"),
    [
        ("#", "polls.vote.cast", True),
        ("polls.#", "polls.vote.cast", True),
        ("polls.#", "polls", True),
        ("polls.*", "polls.vote.cast", False),
        ("*.vote.*", "polls.vote.cast", True),
        ("#.cast", "polls.vote.cast", True),
        ("images.#.deleted", "images.image.deleted", True),
        ("images.#.deleted", "images.deleted", True),
        ("images.image.*", "images.image", False),
        ("polls.vote.cast", "polls.vote.cast", True),
        ("polls.vote.cast", "polls.vote.casts", False),
    ],
)
def test_topic_patterns_match_as_rabbitmq_matches_them(pattern, key, matches):
    assert topic_matches(pattern, key) is matches


def test_a_consumer_queue_dead_letters_into_its_own_dead_letter_queue(settings):
    queue = consumer_queue("activity", ["#"], max_deliveries=3)
    dead = dead_letter_queue("activity")
    assert queue.name == f"{settings.EVENTS_EXCHANGE}.activity"
    assert queue.durable
    assert queue.queue_arguments["x-queue-type"] == "quorum"
    assert queue.queue_arguments["x-dead-letter-exchange"] == dead.exchange.name
    assert queue.queue_arguments["x-dead-letter-routing-key"] == dead.routing_key == queue.name
    assert dead.name == f"{queue.name}.dead"
