"""Benchmark campaign-content detection on one core.

Generates a deterministic, realistic batch (1,000,000 posts from 50,000 creators, 1,000 campaign
configs with 50-200 allocated creators each, about 5% of posts carrying a campaign's tags),
times ``detect`` on the whole batch, and times the one-by-one baseline (``detect_one`` for a
sample of posts against every config) to extrapolate its posts per second. Generation is not
timed. The last line printed is one JSON object:
    python scripts/bench/detection.py [--posts N] [--configs N] [--sample N]
"""

from __future__ import annotations

import os

for _variable in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_variable] = "1"
os.environ.setdefault("NUMEXPR_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import time  # noqa: E402
from datetime import UTC, date, datetime, timedelta  # noqa: E402

import numpy as np  # noqa: E402

from shared.detection import CampaignRule, PostText, detect, detect_one  # noqa: E402

SEED = 20_261_121
PLATFORMS = ("instagram", "tiktok", "youtube", "x")
PLATFORM_SHARE = (0.55, 0.3, 0.1, 0.05)
LANGUAGES = ("en", "de", "fr", "es", "pt", "it", "nl", "sv", "pl", "ja")
LANGUAGE_SHARE = (0.42, 0.12, 0.1, 0.1, 0.08, 0.07, 0.04, 0.03, 0.02, 0.02)
WORDS = {
    "en": "the a my this today morning new love so much best with for and trail coffee weekend "
    "sunset friends city life summer run outfit honestly favourite little journey finally",
    "de": "der die das und mit heute morgen neue liebe so viel beste für wochenende kaffee "
    "sonnenuntergang freunde stadt leben sommer laufen größte schöne endlich über",
    "fr": "le la les et avec aujourd'hui matin nouveau amour tellement meilleur pour week-end "
    "café coucher soleil amis ville vie été courir déjà très élégant préféré",
    "es": "el la los y con hoy mañana nuevo amor tanto mejor para fin semana café atardecer "
    "amigos ciudad vida verano correr por fin pequeño increíble",
    "pt": "o a os e com hoje manhã novo amor tanto melhor para fim semana café pôr do sol "
    "amigos cidade vida verão correr finalmente coração",
    "it": "il la gli e con oggi mattina nuovo amore tanto migliore per fine settimana caffè "
    "tramonto amici città vita estate correre finalmente perché",
    "nl": "de het een en met vandaag ochtend nieuwe liefde zo veel beste voor weekend koffie "
    "zonsondergang vrienden stad leven zomer rennen eindelijk",
    "sv": "den det en och med idag morgon nya kärlek så mycket bästa för helg kaffe "
    "solnedgång vänner stad liv sommar springa äntligen",
    "pl": "to jest i z dzisiaj rano nowy miłość tak bardzo najlepszy dla weekend kawa "
    "zachód słońca przyjaciele miasto życie lato biegać wreszcie",
    "ja": "今日 朝 新しい 大好き とても 最高 週末 コーヒー 夕日 友達 街 生活 夏 ランニング やっと",
}
DISCLOSURES = {
    "en": ("#ad", "#sponsored", "#paidpartnership", "#AD", "Paid partnership with"),
    "de": ("#anzeige", "#Werbung", "#ANZEIGE", "bezahlte Partnerschaft"),
    "fr": ("#sponsorisé", "#pub", "#partenariat", "partenariat rémunéré"),
    "es": ("#publicidad", "#publi", "#patrocinado", "colaboración pagada"),
    "pt": ("#publicidade", "#publi", "parceria paga"),
    "it": ("#adv", "#pubblicità", "#sponsorizzato"),
    "nl": ("#gesponsord", "#samenwerking", "betaald partnerschap"),
    "sv": ("#samarbete", "#reklam", "#spons"),
    "pl": ("#reklama", "#współpraca", "płatne partnerstwo"),
    "ja": ("#PR", "#広告", "#タイアップ"),
}
GENERIC_TAGS = [
    "travel",
    "fitness",
    "food",
    "foodie",
    "fashion",
    "ootd",
    "beauty",
    "makeup",
    "skincare",
    "hiking",
    "outdoors",
    "nature",
    "photography",
    "sunset",
    "coffee",
    "café",
    "vegan",
    "running",
    "yoga",
    "gym",
    "motivation",
    "love",
    "instagood",
    "photooftheday",
    "summer",
    "winter",
    "beach",
    "mountains",
    "wanderlust",
    "reisen",
    "essen",
    "fotografie",
    "düsseldorf",
    "münchen",
    "paris",
    "españa",
    "méxico",
    "lisboa",
    "roma",
    "amsterdam",
    "stockholm",
    "kraków",
    "tokyo",
    "naturaleza",
    "montaña",
    "été",
    "bienêtre",
    "selfcare",
    "homedecor",
    "interior",
    "dog",
    "cat",
    "family",
    "kids",
    "garden",
    "diy",
    "art",
    "music",
]
EMOJI = ("🔥", "✨", "😍", "🏔️", "☕", "💪", "🌞", "❤️", "🙌", "👟", "🇩🇪", "👉", "🎉")
SYLLABLES = [
    "ac",
    "me",
    "tra",
    "il",
    "no",
    "va",
    "lu",
    "mi",
    "zo",
    "ra",
    "ken",
    "tor",
    "fi",
    "ber",
    "sol",
    "ar",
    "mo",
    "ve",
    "xa",
    "li",
    "dor",
    "quin",
    "pe",
]
THEMES = [
    "trail",
    "run",
    "glow",
    "fit",
    "eats",
    "style",
    "home",
    "brew",
    "move",
    "wild",
    "lab",
    "care",
    "ride",
    "play",
    "snack",
]


def _brand(rng: np.random.Generator) -> str:
    return "".join(rng.choice(SYLLABLES, size=int(rng.integers(2, 4))))


def make_rules(
    rng: np.random.Generator, configs: int, creators: list[tuple[str, str]]
) -> tuple[list[CampaignRule], list[str]]:
    """The configs, and the link each config's creators share (when it tracks links)."""
    rules = []
    links = []
    for number in range(configs):
        brand = _brand(rng)
        theme = str(rng.choice(THEMES))
        required = [f"{brand}{theme}"] + ([f"{brand}{number}"] if rng.random() < 0.3 else [])
        start = date(2026, 1, 1) + timedelta(days=int(rng.integers(0, 180)))
        end = start + timedelta(days=int(rng.integers(30, 120))) if rng.random() < 0.9 else None
        link = None
        links.append("")
        if rng.random() < 0.6:
            link = rf"{brand}\.(?:com|co)/(?:r|go)/c{number}\w*"
            links[-1] = f"https://{brand}.co/r/c{number}"
        elif rng.random() < 0.3:
            link = rf"utm_campaign={brand}_{number}\b"
            links[-1] = f"https://www.{brand}.com/shop?utm_source=ig&utm_campaign={brand}_{number}"
        chosen = rng.choice(len(creators), size=int(rng.integers(50, 201)), replace=False)
        rules.append(
            CampaignRule(
                campaign_id=f"camp-{number:04d}",
                required_hashtags=required,
                optional_hashtags=list(rng.choice(GENERIC_TAGS, size=int(rng.integers(0, 4)))),
                required_mentions=[brand] if rng.random() < 0.8 else [],
                tracking_link_pattern=link,
                start_date=start,
                end_date=end,
                creator_keys=frozenset(creators[i] for i in chosen.tolist()),
            )
        )
    return rules, links


def _styled(rng: np.random.Generator, text: str) -> str:
    """A tag as creators type it: odd case, glued emoji, punctuation around it."""
    roll = rng.random()
    if roll < 0.3:
        text = text.upper() if rng.random() < 0.3 else text.title()
    if rng.random() < 0.2:
        text = str(rng.choice(EMOJI)) + text
    if rng.random() < 0.25:
        text += str(rng.choice(["!", ",", ".", ")", "!!", str(rng.choice(EMOJI))]))
    if rng.random() < 0.1:
        text = "(" + text
    return text


def make_posts(
    rng: np.random.Generator,
    count: int,
    creators: list[tuple[str, str]],
    rules: list[CampaignRule],
    links: list[str],
) -> list[PostText]:
    allocated: dict[tuple[str, str], list[int]] = {}
    for number, rule in enumerate(rules):
        for key in rule.creator_keys:
            allocated.setdefault(key, []).append(number)
    language_of = rng.choice(LANGUAGES, size=len(creators), p=LANGUAGE_SHARE)
    vocabulary = {language: words.split() for language, words in WORDS.items()}
    author = rng.integers(0, len(creators), size=count)
    campaign_post = rng.random(count) < 0.05
    epoch = datetime(2026, 1, 1, tzinfo=UTC)
    posts = []
    for number in range(count):
        platform, username = creators[int(author[number])]
        language = str(language_of[int(author[number])])
        words = vocabulary[language]
        parts = list(rng.choice(words, size=int(rng.integers(8, 40))))
        tags = [f"#{tag}" for tag in rng.choice(GENERIC_TAGS, size=int(rng.integers(0, 10)))]
        mentions = [f"@{creators[int(i)][1]}" for i in rng.integers(0, len(creators), 2)]
        mentions = mentions[: int(rng.integers(0, 3))]
        extras: list[str] = [str(e) for e in rng.choice(EMOJI, size=int(rng.integers(0, 5)))]
        if rng.random() < 0.1:
            extras.append(f"https://linktr.ee/{username}")
        if rng.random() < 0.03:
            extras.append(str(rng.choice(DISCLOSURES[language])))
        posted_at = epoch + timedelta(minutes=int(rng.integers(0, 60 * 24 * 270)))
        paid: bool | None = None
        campaigns = allocated.get((platform, username))
        if campaign_post[number] and campaigns:
            chosen = int(rng.choice(campaigns))
            rule = rules[chosen]
            tags += [f"#{_styled(rng, tag)}" for tag in rule.required_hashtags]
            tags += [f"#{tag}" for tag in rule.optional_hashtags if rng.random() < 0.5]
            if rule.required_mentions and rng.random() < 0.85:
                mentions.append(f"@{_styled(rng, rule.required_mentions[0])}")
            if links[chosen] and rng.random() < 0.6:
                extras.append(links[chosen])
            if rng.random() < 0.7:
                extras.append(_styled(rng, str(rng.choice(DISCLOSURES[language]))))
            paid = bool(rng.random() < 0.6) if rng.random() < 0.8 else None
            if rule.start_date and rng.random() < 0.9:
                posted_at = datetime.combine(rule.start_date, datetime.min.time(), UTC) + timedelta(
                    hours=int(rng.integers(0, 24 * 30))
                )
        elif rng.random() < 0.3:
            paid = False
        body = [*parts, *extras, *mentions]
        rng.shuffle(body)
        caption = " ".join(body) + "\n\n" + " ".join(tags)
        scraped = rng.random() < 0.7
        posts.append(
            PostText(
                post_key=f"{platform}:{number:07d}",
                platform=platform,
                username=username,
                caption=caption,
                hashtags=[tag.lstrip("#(") for tag in tags] if scraped else None,
                mentions=[m.lstrip("@") for m in mentions] if scraped else None,
                is_paid_partnership=paid,
                posted_at=posted_at if rng.random() > 0.03 else None,
            )
        )
    return posts


def make_creators(rng: np.random.Generator, count: int) -> list[tuple[str, str]]:
    platforms = rng.choice(PLATFORMS, size=count, p=PLATFORM_SHARE)
    return [(str(platforms[i]), f"{_brand(rng)}.{rng.choice(THEMES)!s}_{i}") for i in range(count)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--creators", type=int, default=50_000)
    parser.add_argument("--configs", type=int, default=1_000)
    parser.add_argument("--sample", type=int, default=2_000)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    rng = np.random.default_rng(SEED)
    started = time.perf_counter()
    creators = make_creators(rng, args.creators)
    rules, links = make_rules(rng, args.configs, creators)
    posts = make_posts(rng, args.posts, creators, rules, links)
    print(
        f"generated {len(posts):,} posts, {len(rules):,} configs in "
        f"{time.perf_counter() - started:.1f} s (not timed)"
    )

    started = time.perf_counter()
    found = detect(posts, rules)
    seconds = time.perf_counter() - started
    content = int(found["is_campaign_content"].sum())
    print(
        f"detect: {len(found):,} candidate pairs, {content:,} campaign posts, {seconds:.2f} s, "
        f"{len(posts) / seconds:,.0f} posts/s"
    )

    sample = [posts[int(i)] for i in rng.choice(len(posts), size=args.sample, replace=False)]
    started = time.perf_counter()
    baseline = [detect_one(post, rule) for post in sample for rule in rules]
    baseline_seconds = time.perf_counter() - started
    baseline_rate = len(sample) / baseline_seconds
    print(
        f"baseline: detect_one for {len(sample):,} posts x {len(rules):,} configs in "
        f"{baseline_seconds:.2f} s, {baseline_rate:,.0f} posts/s "
        f"(whole batch would take {len(posts) / baseline_rate:,.0f} s)"
    )

    sampled = {post.post_key for post in sample}
    rows = found[found["post_key"].isin(sampled)]
    expected = {
        (m.post_key, m.campaign_id): (m.confidence, m.reasons)
        for m in baseline
        if m.reasons != ["creator not allocated to this campaign"]
    }
    actual: dict[tuple[str, str], tuple[float, list[str]]] = {
        (key, campaign): (confidence, reasons)
        for key, campaign, confidence, reasons in zip(
            rows["post_key"].tolist(),
            rows["campaign_id"].tolist(),
            rows["confidence"].tolist(),
            rows["reasons"].tolist(),
            strict=True,
        )
    }
    print(f"sample agreement with detect_one: {actual == expected} ({len(expected):,} pairs)")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak_mb:,.0f} MB")

    rate = len(posts) / seconds
    print(
        json.dumps(
            {
                "benchmark": "detection",
                "posts": len(posts),
                "configs": len(rules),
                "seconds": round(seconds, 3),
                "posts_per_second": round(rate, 1),
                "ratio": round(rate / baseline_rate, 1),
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
