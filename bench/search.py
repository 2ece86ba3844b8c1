"""Search speed: the database index (SQLite FTS5 and PostgreSQL full-text search) against
haystack's stock Whoosh backend, on one corpus, in one run.

    .venv/bin/python bench/search.py

Generates N guide-like documents (title, a ~150-word body, author, category, tags; a fixed
seed) and indexes them three times, as each backend's rebuild command writes them: into a new
SQLite file and into the PostgreSQL database BENCH_DATABASE_URL (default
guidebook_bench_search on the local server; created and migrated, its search index replaced)
with our `rebuild_search_index` (batches of 1,000 in one transaction), and into a temporary
folder with haystack's stock Whoosh backend and its `rebuild_index` (a clear, then a commit per
batch). Prints documents per second for each.

Then times the search page's own function (guidebook.search.services.search_documents: the
top 20 with snippets, the kind/category/tags facet counts over every match, the spelling
suggestion) for a fixed set of 20 queries (one to three words, two misspelt), ROUNDS times
(the stock backend once: it takes about a second a query), and prints p50/p95.

Last, save to visible across processes: a second process (`bench/search.py --writer`) writes
one document at a time, each in its own transaction, as a save does, and prints when it has
committed; this process then queries for the document's own word until it is found. p95 of
commit → found, on each database.

Between indexing and the queries, PostgreSQL's index tables are vacuumed and analysed, as
autovacuum would do after a rebuild (see settle()). Before the queries the process freezes its
heap (gc.freeze()), as gunicorn.conf.py has each web worker do. No content tables: documents
are unsaved instances of a throwaway model.

Environment: BENCH_DOCS (20000) · BENCH_ROUNDS (5) · BENCH_SAVES (100) · BENCH_DATABASE_URL
"""

import gc
import itertools
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import harness  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ["DEBUG"] = "false"  # haystack and Django record every query when DEBUG is on
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ["CELERY_BROKER_URL"] = ""
os.environ.pop("SEARCH_URL", None)
if sys.argv[1:2] == ["--writer"]:  # the parent's SQLite file, handed down in DATABASE_URL
    SQLITE_PATH = os.environ["DATABASE_URL"].removeprefix("sqlite:///")
else:  # not a BENCH_ variable: those are the options, shown in the recorded command
    SQLITE_PATH = str(Path(tempfile.gettempdir()) / f"guidebook-bench-{os.getpid()}.sqlite3")
    os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE_PATH}"
POSTGRES_URL = harness.database_url("guidebook_bench_search")

DOCS = harness.env_int("BENCH_DOCS", 20000)
ROUNDS = harness.env_int("BENCH_ROUNDS", 5)
SAVES = harness.env_int("BENCH_SAVES", 100)
STOCK_ROUNDS = 1
BATCH = 1000
DEADLINE = harness.Deadline(590, "bench/search.py", "ten-minute", "try a smaller BENCH_DOCS")
ALIASES = {"sqlite": "default", "postgres": "postgres"}  # haystack alias: Django database
TARGETS = {
    # p95 of the page query (ms), indexing (documents/s)
    "sqlite": {"p95": 15.0, "rate": 2000.0},
    "postgres": {"p95": 30.0, "rate": 1000.0},
}
TARGET_RATIO, TARGET_VISIBLE_MS = 20.0, 50.0
BASELINE_NOTE = "baseline: haystack's stock Whoosh backend, same corpus, same run"

CITIES = [
    "Lisbon",
    "Porto",
    "Seville",
    "Granada",
    "Valencia",
    "Marseille",
    "Lyon",
    "Naples",
    "Palermo",
    "Florence",
    "Bologna",
    "Trieste",
    "Ljubljana",
    "Zagreb",
    "Split",
    "Athens",
    "Thessaloniki",
    "Istanbul",
    "Krakow",
    "Prague",
    "Vienna",
    "Budapest",
    "Berlin",
    "Hamburg",
    "Copenhagen",
    "Stockholm",
    "Oslo",
    "Bergen",
    "Edinburgh",
    "Dublin",
]
TRAVEL_WORDS = """
walk tram museum market harbour castle cathedral bridge river garden beach sunset coffee
pastry wine tasting ferry island viewpoint hill old town quarter alley square fountain
gallery bookshop bakery festival concert night train station bus cycling hiking trail
forest lake mountain village vineyard monastery palace tower tiles azulejo fado seafood
sardines oysters cheese bread chocolate street food lunch dinner breakfast rooftop
terrace photography architecture history roman medieval baroque modern art design
shopping vintage crafts ceramics weaving leather map guide route itinerary weekend day
trip family children accessible budget luxury hidden local secret favourite best early
morning evening winter summer spring autumn rain sunshine wind tide boat sailing
swimming surf cliffs lighthouse
"""
WORDS = TRAVEL_WORDS.split()
CATEGORIES = [
    "Walks",
    "Food & Drink",
    "Museums",
    "Day trips",
    "Nightlife",
    "Outdoors",
    "Architecture",
    "Family",
]
TAGS = [
    "free",
    "rainy day",
    "kids",
    "wheelchair",
    "late night",
    "local favourite",
    "budget",
    "photography",
    "history",
    "seafood",
    "vegetarian",
    "coffee",
    "views",
    "market",
    "weekend",
    "hidden gem",
    "trams",
    "beaches",
    "wine",
    "art",
]
QUERIES = [
    "lisbon",
    "lisbon tram",
    "old town walk",
    "museum of modern art",
    "beach sunset",
    "street food market",
    "porto wine tasting",
    "hidden local bakery",
    "castle hill view",
    "ferry island",
    "medieval cathedral",
    "family day trip",
    "lisbn",
    "seafod",
    "roman history",
    "night concert",
    "cycling route",
    "tiles azulejo",
    "coffee",
    "winter weekend",
]
TEXT_TEMPLATE = "{{ object.title }}\n{{ object.body }}\n{{ object.author }}\n{{ object.category }}"


def setup_django():
    """Django with two databases: `default`, a fresh SQLite file, and `postgres`, the bench's
    PostgreSQL database; both migrated, so each holds the index tables its vendor needs."""
    import django
    from django.conf import settings

    settings.DATABASES  # noqa: B018 (loads the settings, so that the next line can add to them)
    settings.DATABASES["postgres"] = {
        **settings.DATABASES["default"],
        **environ_db(POSTGRES_URL),
    }
    django.setup()
    from django.db import models
    from haystack import indexes

    from guidebook.search.indexes import DocumentIndex

    class BenchGuide(models.Model):  # noqa: DJ008 (never printed)
        title = models.CharField(max_length=200)
        body = models.TextField()
        author = models.CharField(max_length=50)
        category = models.CharField(max_length=50)
        published = models.DateTimeField()

        class Meta:
            app_label = "search"
            managed = False

        def get_absolute_url(self):
            return f"/guides/{self.pk}/"

    from django.template import engines

    template = engines["django"].from_string(TEXT_TEMPLATE)

    class BenchGuideIndex(DocumentIndex, indexes.Indexable):
        """The shape of the guides' index; text rendered from a template as use_template does."""

        kind_name = "guide"
        text = indexes.CharField(document=True)

        def get_model(self):
            return BenchGuide

        def prepare_text(self, obj):
            return template.render({"object": obj})

        def prepare_title(self, obj):
            return obj.title

        def prepare_date(self, obj):
            return obj.published

        def prepare_author(self, obj):
            return obj.author

        def prepare_category(self, obj):
            return obj.category

        def prepare_tags(self, obj):
            return obj.tag_names

        def prepare_passage(self, obj):
            return obj.body

    return BenchGuide, BenchGuideIndex


def vocabulary(rng):
    """Words ranked as in real prose (Zipf's law over 30,000 words): English stop words first,
    the travel words spread over ranks 40 to 2,000, made-up words everywhere else."""
    syllables = [
        "ka",
        "lo",
        "mi",
        "ra",
        "ten",
        "vo",
        "sul",
        "der",
        "an",
        "pe",
        "tri",
        "mos",
        "bel",
        "cor",
        "ni",
        "gu",
        "sta",
        "fen",
        "lu",
        "por",
    ]
    words = [
        "the",
        "and",
        "of",
        "to",
        "a",
        "in",
        "is",
        "for",
        "on",
        "with",
        "you",
        "at",
        "it",
        "from",
        "by",
        "this",
        "an",
        "be",
        "are",
        "or",
    ]
    made_up = set()
    while len(words) + len(made_up) < 30_000 - len(WORDS):
        made_up.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
    words += sorted(made_up)
    for rank, word in zip(sorted(rng.sample(range(40, 2000), len(WORDS))), WORDS, strict=True):
        words.insert(rank, word)
    cumulative = list(itertools.accumulate(1 / rank for rank in range(1, len(words) + 1)))
    return words, cumulative


def generate(model, count):
    from datetime import UTC, datetime, timedelta

    rng = random.Random(20261124)  # noqa: S311 (a fixed corpus, not a secret)
    words, cumulative = vocabulary(rng)
    start = datetime(2020, 1, 1, tzinfo=UTC)
    for pk in range(1, count + 1):
        city = rng.choice(CITIES)
        title = f"{city}: " + " ".join(rng.choices(WORDS, k=rng.randint(3, 6)))
        sentences = []
        for _ in range(rng.randint(10, 16)):
            sentence = rng.choices(words, cum_weights=cumulative, k=rng.randint(8, 14))
            if rng.random() < 0.05:
                sentence.insert(rng.randrange(len(sentence)), rng.choice(CITIES))
            sentences.append(" ".join(sentence).capitalize() + ".")
        guide = model(
            pk=pk,
            title=title,
            body=" ".join(sentences),
            author=f"author{rng.randrange(200)}",
            category=rng.choice(CATEGORIES),
            published=start + timedelta(hours=pk),
        )
        guide.tag_names = rng.sample(TAGS, rng.randint(1, 4))
        yield guide


def environ_db(url):
    import environ

    return environ.Env.db_url_config(url)


def connect(alias, options, search_index):
    from haystack import connections
    from haystack.utils.loading import UnifiedIndex

    connections.connections_info[alias] = options
    unified = UnifiedIndex()
    unified.build(indexes=[search_index])
    connections[alias]._index = unified
    return connections[alias].get_backend()


def connect_all(index_class, whoosh_path):
    from django.conf import settings

    ours = settings.HAYSTACK_CONNECTIONS["default"]
    backends = {
        alias: connect(alias, {**ours, "DATABASE": database}, index_class())
        for alias, database in ALIASES.items()
    }
    stock = {**ours, "ENGINE": "haystack.backends.whoosh_backend.WhooshEngine"}
    backends["stock"] = connect("stock", {**stock, "PATH": whoosh_path}, index_class())
    return backends


def index_all(backend, search_index, documents):
    """Documents per second, written as each backend's rebuild command writes them."""
    started = time.perf_counter()
    if hasattr(backend, "bulk"):  # ours: rebuild_search_index, one transaction
        with backend.bulk(replace=True):
            for offset in range(0, len(documents), BATCH):
                backend.update(search_index, documents[offset : offset + BATCH])
                DEADLINE.check("indexing")
    else:  # stock: rebuild_index, a clear (a commit) and a commit per batch
        backend.clear()
        for offset in range(0, len(documents), BATCH):
            backend.update(search_index, documents[offset : offset + BATCH])
            DEADLINE.check("indexing")
    return len(documents) / (time.perf_counter() - started)


def page_query(alias, query):
    from guidebook.search.services import search_documents

    return search_documents(query=query, using=alias)


def timings(alias):
    page_query(alias, QUERIES[0])  # left out: the first query opens connections and files
    samples = []
    for _ in range(STOCK_ROUNDS if alias == "stock" else ROUNDS):
        for query in QUERIES:
            started = time.perf_counter()
            page_query(alias, query)
            samples.append((time.perf_counter() - started) * 1000)
        DEADLINE.check(f"queries on {alias}")
    return samples


def p(samples, q):
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1]


# ------------------------------------------------------------------------------ across processes
def writer(alias):
    """--writer ALIAS: for each line read, index one document holding that line's word in its
    own transaction, then print the commit's wall-clock time."""
    from django.db import transaction

    model, index_class = setup_django()
    backend = connect_all(index_class, tempfile.mkdtemp(prefix="guidebook-bench-unused-"))[alias]
    search_index = backend_index(alias)
    template = next(generate(model, 1))
    for number, line in enumerate(sys.stdin):
        word = line.strip()
        template.pk = DOCS + 1 + number
        template.title = f"Saved {word}"
        template.body = f"A new guide about {word}."
        with transaction.atomic(using=ALIASES[alias]):
            backend.update(search_index, [template])
        print(time.time(), flush=True)


def save_to_visible(alias):
    """Milliseconds from another process's commit to this process's query finding it."""
    from haystack.query import SearchQuerySet

    process = subprocess.Popen(  # noqa: S603 (this script, with our own arguments)
        [sys.executable, __file__, "--writer", alias],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ},
    )
    samples = []
    try:
        for number in range(SAVES):
            word = "zq" + "".join(random.choice("bcdfghjklmnpqrstvwxz") for _ in range(8))  # noqa: S311
            process.stdin.write(word + "\n")
            process.stdin.flush()
            committed = float(process.stdout.readline())
            while not SearchQuerySet(using=alias).auto_query(word).count():
                if time.time() - committed > 5:
                    sys.exit(f"bench/search.py: save {number} on {alias} unseen after 5 s")
            samples.append((time.time() - committed) * 1000)
            DEADLINE.check(f"saves on {alias}")
    finally:
        process.stdin.close()
        process.wait(timeout=30)
    return samples


def backend_index(alias):
    from haystack import connections

    return next(iter(connections[alias].get_unified_index().get_indexes().values()))


def prepare_databases():
    from django.core.management import call_command

    harness.ensure_database(POSTGRES_URL, destructive="bench/search.py replaces the search index")
    for database in ALIASES.values():
        call_command("migrate", database=database, verbosity=0)


def settle():
    """VACUUM ANALYZE the PostgreSQL index tables, as autovacuum does within a minute or so of a
    rebuild. The rebuild's DELETE leaves the previous contents as dead rows; a server running
    with autovacuum off (this machine's does) would otherwise have every run read the dead rows
    of all the runs before it, and plan with no statistics."""
    from django.db import connections as databases

    with databases[ALIASES["postgres"]].cursor() as cursor:
        cursor.execute("VACUUM ANALYZE search_document, search_facet, search_word")


# ------------------------------------------------------------------------------ report
def main():
    whoosh_path = tempfile.mkdtemp(prefix="guidebook-bench-stock-")
    try:
        model, index_class = setup_django()
        prepare_databases()
        backends = connect_all(index_class, whoosh_path)
        documents = list(generate(model, DOCS))
        rates = {}
        for alias, backend in backends.items():
            rates[alias] = index_all(backend, backend_index(alias), documents)
            print(f"indexing  {alias:8}  {rates[alias]:8.0f} documents/s  ({DOCS} documents)")
        settle()
        gc.collect()
        gc.freeze()  # as gunicorn.conf.py's post_worker_init
        found = {alias: page_query(alias, "lisbon tram").total for alias in backends}
        print("check     'lisbon tram' finds " + ", ".join(f"{a} {n}" for a, n in found.items()))
        pages = {}
        for alias in ("stock", *ALIASES):
            samples = timings(alias)
            pages[alias] = (p(samples, 50), p(samples, 95))
            print(
                f"page      {alias:8}  p50 {pages[alias][0]:8.1f} ms   "
                f"p95 {pages[alias][1]:8.1f} ms   ({len(samples)} queries)",
                flush=True,
            )
        visible = {}
        for alias in ALIASES:
            samples = save_to_visible(alias)
            visible[alias] = (p(samples, 50), p(samples, 95))
            print(
                f"visible   {alias:8}  p50 {visible[alias][0]:8.1f} ms   "
                f"p95 {visible[alias][1]:8.1f} ms   ({len(samples)} saves)",
                flush=True,
            )
        print()
        return report(rates, pages, visible)
    finally:
        shutil.rmtree(whoosh_path, ignore_errors=True)
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(SQLITE_PATH + suffix).unlink(missing_ok=True)


def report(rates, pages, visible):
    rows, ok = [], True
    for alias, target in TARGETS.items():
        met = rates[alias] >= target["rate"]
        ok &= met
        rows.append(
            harness.summary_row(
                f"indexing, {alias}, {DOCS:,} documents, batches of {BATCH:,} in one "
                f"transaction ({BASELINE_NOTE}, a commit per batch)",
                rates[alias],
                "documents/s",
                baseline=rates["stock"],
                baseline_unit="documents/s",
                ratio=rates[alias] / rates["stock"],
                target=f"≥ {target['rate']:,.0f} documents/s",
                met=met,
            )
        )
        print(
            f"index   {alias:8} {rates[alias]:7.0f} documents/s (target ≥ {target['rate']:.0f}), "
            f"{rates[alias] / rates['stock']:.1f}x stock {'ok' if met else 'MISSED'}"
        )
    for alias, target in TARGETS.items():
        ours, stock = pages[alias], pages["stock"]
        ratio = stock[1] / ours[1]
        met = ours[1] <= target["p95"] and ratio >= TARGET_RATIO
        ok &= met
        rows.append(
            harness.summary_row(
                f"page query p95, {alias}, {DOCS:,} documents (p50 {ours[0]:.1f} ms against "
                f"{stock[0]:,.0f} ms; {BASELINE_NOTE}; ratio: stock ÷ ours)",
                ours[1],
                "ms",
                baseline=stock[1],
                baseline_unit="ms",
                ratio=ratio,
                target=f"≤ {target['p95']:.0f} ms and ≥ {TARGET_RATIO:.0f} times stock",
                met=met,
            )
        )
        print(
            f"page    {alias:8} p95 {ours[1]:.1f} ms (target ≤ {target['p95']:.0f}), "
            f"{ratio:.0f}x faster than stock at p95 (target ≥ {TARGET_RATIO:.0f}x) "
            f"{'ok' if met else 'MISSED'}"
        )
    for alias, (p50, p95) in visible.items():
        met = p95 <= TARGET_VISIBLE_MS
        ok &= met
        rows.append(
            harness.summary_row(
                f"save seen by a query from another process, p95, {alias} (p50 {p50:.1f} ms; "
                "no baseline: Whoosh's index is one machine's disk)",
                p95,
                "ms",
                target=f"≤ {TARGET_VISIBLE_MS:.0f} ms",
                met=met,
            )
        )
        print(
            f"visible {alias:8} p95 {p95:.1f} ms (target ≤ {TARGET_VISIBLE_MS:.0f}) "
            f"{'ok' if met else 'MISSED'}"
        )
    harness.write_summary(rows)
    return 0 if ok else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["--writer"]:
        writer(sys.argv[2])
    else:
        sys.exit(main())
