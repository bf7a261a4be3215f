"""What the URLs in Apify actors' items and inputs name: a profile's handle or a post's id.

Actors echo their input (`inputUrl`, `input`, `fromYTUrl`) and link the owner (`channelUrl`,
`profileUrl`) as URLs in several shapes; mapping an item back to the profile a run asked for
starts from these.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

_POST_PATHS = {"p", "reel", "reels", "tv", "watch", "shorts", "live", "video", "photo"}
_NOT_HANDLES = _POST_PATHS | {"channel", "c", "user", "explore", "stories", "tag", "hashtag"}


def profile_handle(value: str | None) -> str | None:
    """`name`, `@name` or a profile URL (`instagram.com/name/`, `tiktok.com/@name/...`,
    `youtube.com/@name/videos`) -> the lower-case handle; None when it names no handle."""
    if not value or not value.strip():
        return None
    text = value.strip()
    if "://" not in text and "/" not in text:
        return text.lstrip("@").lower() or None
    parts = [p for p in urlsplit(text if "://" in text else f"https://{text}").path.split("/") if p]
    if not parts:
        return None
    at = next((p for p in parts if p.startswith("@")), None)
    if at:
        return at[1:].lower() or None
    return None if parts[0].lower() in _NOT_HANDLES else parts[0].lower()


def post_ref(value: str | None) -> str | None:
    """A post URL -> the platform's id of the post (shortcode, video id); None otherwise."""
    if not value or "/" not in value:
        return None
    url = urlsplit(value if "://" in value else f"https://{value}")
    if url.hostname and url.hostname.endswith("youtu.be"):
        return url.path.strip("/") or None
    if "v" in (query := parse_qs(url.query)):
        return query["v"][0]
    parts = [p for p in url.path.split("/") if p]
    for index, part in enumerate(parts[:-1]):
        if part.lower() in _POST_PATHS:
            return parts[index + 1]
    return None
