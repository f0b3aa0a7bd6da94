"""The fixed shapes of money, percentage, points and multi-buy claims, compiled once.

Words that vary by brand (discount words, offer phrases) live in the policy;
these are the shapes of numbers and currencies, which do not.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from gateway.governance._numbers import DIGITS, NUMBER

_I = re.IGNORECASE


@dataclass(frozen=True)
class Shape:
    """A pattern and the words it cannot match without: a substring test skips most texts."""

    pattern: re.Pattern[str]
    needles: tuple[str, ...]

    def finditer(self, text: str, lowered: str) -> Iterator[re.Match[str]]:
        if any(n in lowered for n in self.needles):
            yield from self.pattern.finditer(text)


_SYMBOLS = ("$", "€", "£", "¥", "₹", "₩", "₽")
_POINT_WORDS = ("point", "pt")

PERCENT = Shape(re.compile(rf"(?P<num>{NUMBER})[\s-]*(?:%|percent\b|per[\s-]?cent\b|pct\b)", _I),
                ("%", "percent", "per cent", "per-cent", "pct"))

_SYMBOL = "[$€£¥₹₩₽]"
_UNITS_AFTER = (
    r"(?!\s*(?:a\.?m\b|p\.?m\b|%|lbs?\b|oz\b|kg\b|g\b|ml\b|l\b|mi\b|km\b|miles?\b|pounds?\b"
    r"|ounces?\b|inch|in\b|cm\b|mm\b|ft\b|feet\b|stars?\b|points?\b|pts\b|hours?\b))"
)
MONEY = (
    Shape(re.compile(rf"(?:{_SYMBOL}|\b(?:usd|eur|gbp)\b)\s?(?P<num>{DIGITS})", _I),
          (*_SYMBOLS, "usd", "eur", "gbp")),
    Shape(re.compile(rf"(?P<num>{NUMBER})\s*(?P<cents>cents?\b|¢)", _I), ("cent", "¢")),
    Shape(re.compile(rf"(?P<num>{NUMBER})[\s-]*(?:dollars?|bucks|euros?|usd|eur|gbp|quid)\b", _I),
          ("dollar", "buck", "euro", "usd", "eur", "gbp", "quid")),
    Shape(re.compile(rf"(?P<num>{DIGITS})\s?{_SYMBOL}", _I), _SYMBOLS),
    # "3,49 €": a decimal comma.
    Shape(re.compile(rf"(?<![\w.,])(?P<num>\d+,\d{{2}})(?!\d)\s?(?:{_SYMBOL}|eur\b|euros?\b)", _I),
          (*_SYMBOLS, "eur")),
    # "only 2.49", "towels: 8.99": a price without its currency.
    Shape(re.compile(
        r"(?:\bcosts?|\bpriced\s+at|\bprice\s+is|\bonly|\bjust|\bnow|\bpay|\bfor|\bis|\bare"
        rf"|\bdown\s+to|\bdrops?\s+to|\breduced\s+to|:)\s+(?P<num>\d+\.\d{{2}})\b{_UNITS_AFTER}",
        _I,
    ), (".",)),
)
# Money named without a number: "a fiver", "a buck each".
MONEY_WORDS = Shape(re.compile(r"\b(?:a\s+)?(?:fiver|tenner|quid|buck)\b", _I),
                    ("fiver", "tenner", "quid", "buck"))
# "take 10 off": a discount with the unit left out.
BARE_OFF = Shape(re.compile(rf"(?P<num>{NUMBER})\s+off\b", _I), ("off",))

POINTS = (
    Shape(re.compile(
        rf"(?P<num>{NUMBER})[\s-]*(?P<bonus>(?:bonus|extra|free|more)\s+)?"
        r"(?:(?:reward|rewards|loyalty)\s+)?(?:points?|pts?)\b",
        _I,
    ), _POINT_WORDS),
    Shape(re.compile(rf"\b(?:points?|pts|points balance)\s*[:=]\s*(?P<num>{NUMBER})", _I),
          _POINT_WORDS),
    Shape(re.compile(
        rf"\b(?:points?|pts)\s+(?P<bonus>boost|bonus|top[\s-]?up|credit|gift)\s+of\s+"
        rf"(?P<num>{NUMBER})",
        _I,
    ), _POINT_WORDS),
)
MULTIPLIED_POINTS = Shape(re.compile(
    r"\b(?:double|triple|quadruple|multiply|doubled|tripled|twice\s+the"
    r"|(?:\d+|two|three|four|five|ten)\s*(?:x|times))"
    r"(?:\s+(?:the|your|all|my))?\s+(?:(?:bonus|reward|rewards)\s+)?(?:points?|pts)\b"
    r"|\b(?:bonus|extra)\s+(?:points?|pts)\b|\b(?:worth|counts?|earns?)\s+(?:double|triple|twice)\b"
    r"|\btwice\s+as\s+(?:much|many)\b",
    _I,
), (*_POINT_WORDS, "worth", "twice"))
_SMALL = r"\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten"
# "3 for 2", "two for one": more items for the price of fewer.
MULTI_BUY = Shape(re.compile(rf"\b(?P<a>{_SMALL})\s+for\s+(?P<b>{_SMALL})\b", _I), (" for ",))
FRACTION = r"a\s+third|a\s+quarter|a\s+half|half"
