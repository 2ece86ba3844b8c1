"""Search speed: our Whoosh backend against Haystack's stock Whoosh backend, in one run.

    .venv/bin/python bench/search.py

Generates N guide-like documents (title, a ~150-word body, author, category, tags; a fixed
seed), writes them into two temporary folders as each backend's rebuild command would, and
prints documents per second: haystack's `rebuild_index` (clear, then update() in batches of
1,000, a commit each) for the stock backend; our `rebuild_search_index` (the same batches of
1,000 through update(), inside one bulk(replace=True) block, one commit) for ours. Then runs
a fixed set of queries against each index, ROUNDS times in alternating order, and prints
p50/p95 in milliseconds for:

  page   the search page's own function (guidebook.search.services.search_documents): top 20,
         kind/category/tags facets, escaped <mark> snippets, the spelling suggestion;
  api    SearchQuerySet().auto_query(q).highlight().facet(kind, category, tags)[:20], the
         backend's own highlighting.

Both connections use the project's settings (INCLUDE_SPELLING on, as SEARCH_URL configures).
Before the queries the process freezes its heap (gc.freeze()), as gunicorn.conf.py has each web
worker do once it has loaded the site; without it the occasional full garbage collection over
the loaded modules lands inside a few timed queries.
The first query on each backend is left out (ours opens its searcher then, stock opens one for
every query). Before each timed query our backend forgets the queries it has answered: every
query is timed cold, as if never asked before. No database: documents are unsaved instances of
a throwaway model.

Environment: BENCH_DOCS (20000) · BENCH_ROUNDS (3)
"""

import contextlib
import gc
import itertools
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import harness  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ["DEBUG"] = "false"  # haystack records every query when DEBUG is on
os.environ.setdefault("SECRET_KEY", "bench-only")

DOCS = int(os.environ.get("BENCH_DOCS", "20000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
# The stock backend takes seconds per query on this corpus: one round keeps the run bounded.
STOCK_ROUNDS = 1
BATCH = 1000
# The whole run stays under ten minutes (most of it the stock backend's indexing and queries).
DEADLINE = time.monotonic() + 585
TARGET_P95_MS, TARGET_RATIO, TARGET_DOCS_PER_S = 20.0, 5.0, 500.0

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


BASELINE_NOTE = "baseline: haystack's Whoosh backend; ratio: stock ÷ ours"


def setup_django():
    import django

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


def connect(alias, engine, path, search_index):
    from django.conf import settings
    from haystack import connections
    from haystack.utils.loading import UnifiedIndex

    options = {**settings.HAYSTACK_CONNECTIONS["default"], "ENGINE": engine, "PATH": path}
    connections.connections_info[alias] = options
    unified = UnifiedIndex()
    unified.build(indexes=[search_index])
    connections[alias]._index = unified
    return connections[alias].get_backend()


def index_all(backend, search_index, model):
    """Documents per second, written as each backend's rebuild command writes them."""
    documents = list(generate(model, DOCS))
    started = time.perf_counter()
    if hasattr(backend, "bulk"):  # ours: rebuild_search_index (update_search_index --replace)
        rebuild = backend.bulk(replace=True)
    else:  # stock: rebuild_index, a clear (a commit) and a commit per batch
        backend.clear()
        rebuild = contextlib.nullcontext()
    with rebuild:
        for offset in range(0, len(documents), BATCH):
            backend.update(search_index, documents[offset : offset + BATCH])
            check_deadline("indexing")
    return len(documents) / (time.perf_counter() - started)


def check_deadline(step):
    if time.monotonic() > DEADLINE:
        sys.exit(
            f"bench/search.py: over its ten-minute budget during {step}; try a smaller BENCH_DOCS"
        )


def page_query(alias, query):
    from guidebook.search.services import search_documents

    outcome = search_documents(query=query, using=alias)
    return outcome.total


def api_query(alias, query):
    from haystack.query import SearchQuerySet

    sqs = SearchQuerySet(using=alias).auto_query(query).highlight()
    for name in ("kind", "category", "tags"):
        sqs = sqs.facet(name)
    results = list(sqs[:20])
    sqs.facet_counts()
    return len(results)


def timings(alias, run):
    run(alias, QUERIES[0])  # left out: opens the searcher
    samples = []
    for _ in range(STOCK_ROUNDS if alias == "stock" else ROUNDS):
        for query in QUERIES:
            forget_query_caches(alias)
            started = time.perf_counter()
            run(alias, query)
            samples.append((time.perf_counter() - started) * 1000)
        check_deadline(f"queries on {alias}")
    return samples


def forget_query_caches(alias):
    """Every timed query is answered as if never asked before: our backend keeps its searcher
    and facet tables (valid until the index changes) but not the query's cached matches or
    spelling suggestions."""
    from haystack import connections

    backend = connections[alias].get_backend()
    if hasattr(backend, "forget_queries"):
        backend.forget_queries()


def p(samples, q):
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1]


def main():
    model, index_class = setup_django()
    folders = {
        alias: tempfile.mkdtemp(prefix=f"guidebook-bench-{alias}-") for alias in ("ours", "stock")
    }
    try:
        engines = {
            "ours": "guidebook.search.backends.WhooshEngine",
            "stock": "haystack.backends.whoosh_backend.WhooshEngine",
        }
        backends = {
            alias: connect(alias, engine, folders[alias], index_class())
            for alias, engine in engines.items()
        }
        rates = {}
        for alias, backend in backends.items():
            rates[alias] = index_all(backend, backend_index(alias), model)
            print(
                f"indexing  {alias:5}  {rates[alias]:8.0f} documents/s  ({DOCS} documents)",
                flush=True,
            )
        gc.collect()
        gc.freeze()  # as gunicorn.conf.py's post_worker_init
        same = {alias: page_query(alias, "lisbon tram") for alias in backends}
        print(
            f"check     both backends find {same['ours']} / {same['stock']} documents "
            "for 'lisbon tram'"
        )
        results = {}
        for name, run in (("page", page_query), ("api", api_query)):
            for alias in ("stock", "ours"):
                samples = timings(alias, run)
                results[name, alias] = (p(samples, 50), p(samples, 95))
                print(
                    f"{name:5} {alias:5}  p50 {results[name, alias][0]:7.1f} ms   "
                    f"p95 {results[name, alias][1]:7.1f} ms   ({len(samples)} queries)",
                    flush=True,
                )
        print()
        ok = True
        rows = []
        for name in ("page", "api"):
            ours, stock = results[name, "ours"], results[name, "stock"]
            ratio = stock[1] / ours[1]
            met = ours[1] <= TARGET_P95_MS and ratio >= TARGET_RATIO
            ok &= met
            rows.append(
                harness.summary_row(
                    f"{name} query p95, ours, {DOCS:,} documents "
                    f"(p50 {ours[0]:.1f} ms against {stock[0]:,.0f} ms; {BASELINE_NOTE})",
                    ours[1],
                    "ms",
                    baseline=stock[1],
                    baseline_unit="ms",
                    ratio=ratio,
                    target=f"≤ {TARGET_P95_MS:.0f} ms and ≥ {TARGET_RATIO:.0f}",
                    met=met,
                )
            )
            print(
                f"{name:5} p95 ours {ours[1]:.1f} ms (target ≤ {TARGET_P95_MS:.0f}), "
                f"{ratio:.1f}x faster than stock at p95, {stock[0] / ours[0]:.1f}x at p50 "
                f"(target ≥ {TARGET_RATIO:.0f}x) {'ok' if met else 'MISSED'}"
            )
        met = rates["ours"] >= TARGET_DOCS_PER_S
        ok &= met
        rows.insert(
            0,
            harness.summary_row(
                f"indexing, ours, {DOCS:,} documents, batches of {BATCH:,} in one bulk commit "
                "(baseline: haystack's Whoosh backend, a commit per batch)",
                rates["ours"],
                "documents/s",
                baseline=rates["stock"],
                baseline_unit="documents/s",
                ratio=rates["ours"] / rates["stock"],
                target=f"≥ {TARGET_DOCS_PER_S:.0f} documents/s",
                met=met,
            ),
        )
        harness.write_summary(rows)
        print(
            f"index ours {rates['ours']:.0f} documents/s (target ≥ {TARGET_DOCS_PER_S:.0f}), "
            f"{rates['ours'] / rates['stock']:.1f}x stock {'ok' if met else 'MISSED'}"
        )
        return 0 if ok else 1
    finally:
        for folder in folders.values():
            shutil.rmtree(folder, ignore_errors=True)


def backend_index(alias):
    from haystack import connections

    return next(iter(connections[alias].get_unified_index().get_indexes().values()))


if __name__ == "__main__":
    sys.exit(main())
