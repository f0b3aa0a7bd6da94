"""Links and images: only the brand's own hosts may appear in an answer.

Found on the normalised text (so "ｅｖｉｌ．ｃｏｍ" and "evil\u200b.com" are found), judged
on the original: a host is allowed only if it is written in plain ASCII and is an
allowed host or one of its subdomains. A Cyrillic "с" in "сompleterewards.example"
folds to "c" for reading, but the browser would go elsewhere, so it is refused.

    bare URLs, www. hosts, host.tld/paths     link_not_allowed
    obfuscated hosts ("evil[.]com", "coupons dot com")
    javascript:, vbscript:, data:, file:// URLs
    markdown images, HTML <img> tags          image_not_allowed (relative or no src too)
"""

from __future__ import annotations

import re
import unicodedata

from gateway.governance._facts import Finding
from gateway.governance._normalise import Normalised
from gateway.policy.governance import LinkRules

_I = re.IGNORECASE
_SCHEME = re.compile(r"\b(?:javascript|vbscript):|\bdata:[a-z]+/[a-z0-9.+-]+|\bfile://", _I)
_MD_IMAGE = re.compile(r"!\[[^\]\n]{0,200}\]\(\s*<?(?P<url>[^)\s>]*)[^)\n]{0,200}\)?")
_HTML_IMAGE = re.compile(r"<img\b[^>]{0,500}>?", _I)
_SRC = re.compile(r"\bsrc\s*=\s*[\"']?(?P<url>[^\"'\s>]+)", _I)
_DOT_WORD = re.compile(r"\s*[\[({]\s*(?:\.|dot)\s*[\])}]\s*|\s+dot\s+", _I)


class LinkCheck:
    def __init__(self, rules: LinkRules) -> None:
        tlds = "|".join(sorted((re.escape(t) for t in rules.top_level_domains), key=len,
                               reverse=True))
        self._url = re.compile(
            r"\b(?:https?://|www\.)[^\s<>()\"']+|(?<![\w/:])//[a-z0-9-]+\.[^\s<>()\"']+"
            rf"|(?<![@\w.-])(?:[a-z0-9-]+\.)+(?:{tlds})\b(?:/[^\s<>()\"']*)?",
            _I,
        )
        dot = r"(?:\s*[\[({]\s*(?:\.|dot)\s*[\])}]\s*|\s+dot\s+)"
        self._hidden = re.compile(rf"(?<![@\w.-])(?:[a-z0-9-]+{dot})+(?:{tlds})\b", _I)
        self._allowed = tuple(h.lower() for h in rules.allowed_hosts)

    def findings(self, norm: Normalised, original: str) -> list[Finding]:
        images = self._images(norm, original)
        taken = [(f.start, f.end) for f in images]
        found = list(images)
        for pattern in (self._url, self._hidden, _SCHEME):
            for m in pattern.finditer(norm.text):
                start, end = norm.original_span(*m.span())
                if any(s <= start and end <= e for s, e in taken):
                    continue  # already reported as the image it belongs to
                if pattern is _SCHEME or not self._allowed_url(original[start:end]):
                    found.append(Finding("link_not_allowed", start, end, f"'{m.group()}' links "
                                         "to a host that is not on the allow-list"))
                    taken.append((start, end))
        return found

    def _images(self, norm: Normalised, original: str) -> list[Finding]:
        found = []
        for m in [*_MD_IMAGE.finditer(norm.text), *_HTML_IMAGE.finditer(norm.text)]:
            src = _src_span(m)
            if src is not None:
                src_start, src_end = norm.original_span(*src)
                if self._allowed_url(original[src_start:src_end]):
                    continue
            start, end = norm.original_span(*m.span())
            found.append(Finding("image_not_allowed", start, end, f"'{m.group()[:60]}' shows "
                                 "an image from outside the allow-list"))
        return found

    def _allowed_url(self, url: str) -> bool:
        host = _host(url)
        if not host or not host.isascii():
            return False  # no host, or a lookalike: it reads like ours, it is not
        return any(host == a or host.endswith("." + a) for a in self._allowed)


def _src_span(image: re.Match[str]) -> tuple[int, int] | None:
    """Where the image's URL is, in the normalised text; None when it has none."""
    if "url" in image.re.groupindex:
        start, end = image.span("url")
    else:
        src = _SRC.search(image.group())
        if src is None:
            return None
        start, end = image.start() + src.start("url"), image.start() + src.end("url")
    return (start, end) if end > start else None


def _host(url: str) -> str:
    text = _DOT_WORD.sub(".", unicodedata.normalize("NFKC", url).lower())
    if not re.match(r"^(?:[a-z]+:)?//|^www\.|^[^\s/:]+\.[^\s/:]+", text):
        return ""  # a relative path or an unknown scheme: no host we can allow
    rest = re.sub(r"^(?:[a-z]+:)?//", "", text)
    host = re.split(r"[/?#]", rest, maxsplit=1)[0].rpartition("@")[2].split(":")[0]
    return host.rstrip(".,;!").removeprefix("www.")
