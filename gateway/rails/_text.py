"""What a message says once its hiding is undone: the views the rules are run over.

An attacker hides an instruction from pattern rules by encoding it (base64,
hex, percent- or entity-escapes), scrambling it (rot13, reversed), or
disguising its letters (leetspeak, Cyrillic look-alikes, letters spaced out
with dots). Every view here is one of those undone; the rules then run over
each, so one set of patterns covers all the disguises. Decoders apply again to
what they decoded (base64 inside hex...) up to `max_depth`; the cheap
letter-level transforms apply once to each decoded text.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import html
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import unquote

from gateway.policy.input_rails import Decoding

AS_WRITTEN = "as written"
MAX_VIEWS = 32  # an upper bound on work per message, whatever its content

_INVISIBLE = re.compile(r"[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f"
                        r"\u202a-\u202e\u2060-\u2064\u206a-\u206f\ufeff]")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201b": "'", "\u2032": "'",
                         "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00b4": "'"})
_BASE64 = re.compile(r"[A-Za-z0-9+/_-]{8,}={0,2}")
_HEX = re.compile(r"(?:(?:\\x|0x)?[0-9a-fA-F]{2}[\s:,-]?){4,}")
_HEX_JUNK = re.compile(r"\\x|0x|[\s:,-]")
_PERCENT = re.compile(r"(?:%[0-9a-fA-F]{2}){3,}")
_ENTITY = re.compile(r"&(?:#x?[0-9a-fA-F]{2,6}|[a-zA-Z]{2,8});")
_SPACED = re.compile(r"(?<![^\W_])(?:[^\W_][ .\-_*/|·•]){3,}[^\W_](?![^\W_])")
_SPACED_SEP = re.compile(r"[ .\-_*/|·•]")
_NOT_LETTER = re.compile(r"[^a-z]+")


@dataclass(frozen=True)
class View:
    how: str  # "as written", or the decodings applied: "base64", "hex, then leetspeak"
    text: str
    decoded: bool = False  # text that was encoded (base64, hex...), not only disguised


def normalise(text: str) -> str:
    """The text as a person reads it (dataprep already does most of this; the screen may
    also be called on raw text)."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return _INVISIBLE.sub("", text)


def has_invisible(text: str) -> bool:
    return _INVISIBLE.search(text) is not None


def compact(text: str) -> str:
    """Letters only, lower case: "I.g.n.o.r.e a-l-l" becomes "ignoreall"."""
    return _NOT_LETTER.sub("", text.lower())


class Decoder:
    def __init__(self, decoding: Decoding) -> None:
        self._d = decoding
        self._homoglyphs = str.maketrans(dict(decoding.homoglyphs))
        self._leet = [
            str.maketrans({k: v[min(i, len(v) - 1)] for k, v in decoding.leetspeak.items()})
            for i in range(max(len(v) for v in decoding.leetspeak.values()))
        ]
        symbols = "".join(re.escape(k) for k in decoding.leetspeak)
        self._leet_word = re.compile(rf"\S*[a-zA-Z]\S*[{symbols}]\S*|\S*[{symbols}]\S*[a-zA-Z]\S*")
        self._decoders: tuple[tuple[str, Callable[[str], Iterator[str]]], ...] = (
            ("base64", self._base64), ("hex", self._hex),
            ("percent-escapes", self._percent), ("html entities", self._entities),
        )

    def views(self, text: str) -> list[View]:
        """`text` as written first, then every distinct decoded or de-disguised view of it."""
        seen = {text}
        views = [View(AS_WRITTEN, text)]
        self._add_transforms(View(AS_WRITTEN, text), views, seen)
        self._add_decoded(View(AS_WRITTEN, text), 1, views, seen)
        return views[:MAX_VIEWS]

    def mixes_scripts(self, text: str) -> bool:
        """A word with both Latin letters and look-alikes from another script."""
        for word in text.split():
            mapped = word.translate(self._homoglyphs)
            if mapped != word and any("a" <= c.lower() <= "z" for c in word):
                return True
        return False

    def _add_decoded(self, view: View, depth: int, views: list[View], seen: set[str]) -> None:
        for name, decode in self._decoders:
            for decoded in decode(view.text):
                if decoded in seen or len(views) >= MAX_VIEWS:
                    continue
                seen.add(decoded)
                how = name if view.how == AS_WRITTEN else f"{view.how}, then {name}"
                found = View(how, decoded, decoded=True)
                views.append(found)
                self._add_transforms(found, views, seen)
                if depth < self._d.max_depth:
                    self._add_decoded(found, depth + 1, views, seen)

    def _add_transforms(self, view: View, views: list[View], seen: set[str]) -> None:
        for name, text in self._transforms(view.text):
            if text not in seen and len(views) < MAX_VIEWS:
                seen.add(text)
                how = name if view.how == AS_WRITTEN else f"{view.how}, then {name}"
                views.append(View(how, text, decoded=view.decoded))

    def _transforms(self, text: str) -> Iterator[tuple[str, str]]:
        disguised = text.translate(self._homoglyphs)
        names = ["look-alike letters"] if disguised != text else []
        for table in self._leet:
            leet = self._leet_word.sub(_translating(table), disguised)
            spaced = _SPACED.sub(lambda m: _SPACED_SEP.sub("", m.group()), leet)
            extra = ["leetspeak"] if leet != disguised else []
            extra += ["spaced-out letters"] if spaced != leet else []
            yield " and ".join(names + extra) or "normalised", spaced
        letters = sum(c.isalpha() for c in text)
        if letters:
            yield "rot13", codecs.encode(text, "rot13")
        if letters >= self._d.min_reversed_letters:
            yield "reversed text", text[::-1]

    def _base64(self, text: str) -> Iterator[str]:
        d = self._d
        yield from base64_texts(text, d.min_base64_chars, d.min_printable_share)

    def _hex(self, text: str) -> Iterator[str]:
        for m in _HEX.finditer(text):
            digits = _HEX_JUNK.sub("", m.group())
            if len(digits) < 2 * self._d.min_hex_bytes or len(digits) % 2:
                continue
            decoded = readable(bytes.fromhex(digits), self._d.min_printable_share)
            if decoded is not None:
                yield normalise(decoded)

    def _percent(self, text: str) -> Iterator[str]:
        if _PERCENT.search(text):
            yield normalise(unquote(text))

    def _entities(self, text: str) -> Iterator[str]:
        if _ENTITY.search(text):
            yield normalise(html.unescape(text))


def readable(raw: bytes, min_printable_share: float) -> str | None:
    """`raw` as text if it is mostly printable words, else None (random bytes, binary)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not text.strip():
        return None
    printable = sum(c.isprintable() or c in "\n\t" for c in text)
    wordy = sum(c.isalpha() or c.isspace() for c in text)
    if printable / len(text) < min_printable_share or wordy / len(text) < 0.6:
        return None
    return text


def base64_texts(text: str, min_chars: int, min_printable_share: float) -> Iterator[str]:
    """The readable texts hidden in `text` as base64 (standard or URL-safe) tokens."""
    for m in _BASE64.finditer(text):
        token = m.group()
        plain_word = token.isalpha() and token[1:].islower()
        if len(token) < min_chars or plain_word or token.isdigit():
            continue
        padded = token + "=" * (-len(token) % 4)
        for decode in (base64.b64decode, base64.urlsafe_b64decode):
            try:
                decoded = readable(decode(padded), min_printable_share)
            except (binascii.Error, ValueError):
                continue
            if decoded is not None:
                yield normalise(decoded)
                break


def _translating(table: dict[int, str]) -> Callable[[re.Match[str]], str]:
    def replace(match: re.Match[str]) -> str:
        return match.group().translate(table)

    return replace
