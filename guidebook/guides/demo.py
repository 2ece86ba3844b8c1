"""Demo guides for the embedded profile, illustrated with the images app's demo pictures."""

from datetime import timedelta

from django.utils import timezone
from django.utils.text import slugify

from guidebook.accounts.models import User
from guidebook.images.models import Image

from .models import Category, Guide, GuideImage, Tag
from .services import guide_publish

CATEGORIES = ["Coast", "Countryside", "City"]
TAGS = ["walking", "food", "photography", "history", "family"]
# (author, title, category, tags, featured, excerpt)
DEMO_GUIDES = [
    (
        "ada",
        "A morning at the engine house",
        "Countryside",
        ["history", "photography"],
        True,
        "Steam, brass and the best light of the day.",
    ),
    (
        "ada",
        "The harbour at noon",
        "Coast",
        ["walking", "food"],
        True,
        "Fish stalls, ferries and where to sit when the sun is high.",
    ),
    (
        "grace",
        "Night walks around the old lab",
        "City",
        ["walking", "history"],
        False,
        "A route for the curious, after dark.",
    ),
    (
        "linus",
        "Orange groves of the valley",
        "Countryside",
        ["food", "family"],
        True,
        "A day among the trees, with children and a picnic.",
    ),
    (
        "linus",
        "Light through crystal windows",
        "City",
        ["photography"],
        False,
        "Where to stand, and when, for the best reflections.",
    ),
    (
        "grace",
        "A weekend by the sea",
        "Coast",
        ["family", "walking"],
        False,
        "Rock pools, a lighthouse and a café that opens early.",
    ),
]
# The body starts after the lede (the excerpt, shown above it): it does not repeat it. Its
# quotation is a <blockquote> with its source in <cite>, as TinyMCE's quote button makes it.
BODY = (
    "<p>This guide follows a route the author has walked many times, in every season, and "
    "it is best done slowly: start early, stop often and leave room for a detour or two. "
    "Everything below fits in a day, with time for lunch and a long look at the view.</p>"
    "<h2>Why go</h2><p>Few places reward an unhurried visitor as well as this one. The light "
    "changes by the hour, the people who work here are glad to talk about what they do, and "
    "the small details (a painted sign, a worn step, a window box) are the ones you remember "
    "on the way home.</p>"
    "<blockquote><p>Go slowly: the place rewards patience.</p>"
    "<p><cite>A regular, on the bench by the gate</cite></p></blockquote>"
    "<h2>Getting there</h2><ul><li>Take the early train: the first hour is the quietest.</li>"
    "<li>Bring water, a map and a layer for the wind.</li>"
    "<li>Wear shoes that do not mind a muddy path.</li></ul>"
    "<h2>Before you leave</h2><p>Walk back the long way, past the pictures below, and stop "
    'for a drink where the locals do. More to read: <a href="/guides/">all our guides</a>.</p>'
)
# A cover and a small gallery after the text.
PICTURES_PER_GUIDE = 3


def seed(*, stdout) -> None:
    categories = {
        name: Category.objects.get_or_create(slug=slugify(name), defaults={"name": name})[0]
        for name in CATEGORIES
    }
    tags = {
        name: Tag.objects.get_or_create(slug=slugify(name), defaults={"name": name})[0]
        for name in TAGS
    }
    images = list(Image.objects.public().order_by("pk"))
    made = 0
    for number, (username, title, category, tag_names, featured, excerpt) in enumerate(DEMO_GUIDES):
        author = User.objects.filter(username=username).first()
        if author is None or Guide.objects.filter(title=title).exists():
            continue
        guide = Guide(
            title=title,
            slug=slugify(title),
            author=author,
            excerpt=excerpt,
            body=BODY,
            category=categories[category],
            featured=featured,
            pub_date=timezone.now() - timedelta(days=3 * number + 1),
        )
        guide_publish(guide=guide)
        guide.tags.set([tags[name] for name in tag_names])
        count = min(PICTURES_PER_GUIDE, len(images))
        pictures = [images[(number + n) % len(images)] for n in range(count)]
        for position, image in enumerate(pictures):
            GuideImage.objects.create(
                guide=guide, image=image, position=position, caption=image.description
            )
        made += 1
    stdout.write(f"  guides: {made} new, {Guide.objects.count()} in all")
