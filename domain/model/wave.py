"""WAVE (WebAssembly Value Encoding): parse and print component-model values.

WAVE is the text form that wasm-tools and the golem CLI use for values:
``42``, ``"text"``, ``'c'``, ``[1, 2]``, ``(1, "a")``, ``{name: "x", qty: 2}``,
``some(1)``, ``none``, ``ok("y")``, ``err``, ``{read, write}``, ``case(payload)``.

Values are the Python representation documented in :mod:`domain.model.types`.

Both directions raise :class:`WaveError` (a ``ValueError``) with a one-line
message: :func:`parse` names the line and column of the mistake and what was
expected there; :func:`format` names the path inside the value (``items[2].qty``)
and the type it should have matched.

Over 1,200 lines, and one thing: a parser and a printer of one format, case by
case for every value type, kept together so that both stay each other's inverse.

Accepted input beyond the canonical form printed by :func:`format`:

* ``//`` comments and any whitespace between tokens;
* trailing commas in lists, tuples, records and flags;
* record fields in any order; omitted ``option`` fields are ``none``;
  ``{:}`` (or ``{}``) for a record whose fields are all omitted;
* the "flat" form of ``option`` and ``result``: a bare payload means
  ``some(…)``/``ok(…)`` when the payload type is not itself an option or result;
* labels with a ``%`` prefix anywhere a label is expected, and keyword-named
  variant or enum cases without it where the type leaves no doubt;
* multi-line strings (``\"\"\"`` + line break … line break + indent + ``\"\"\"``).

Canonical output writes variant and enum cases that collide with a keyword
(``true false some none ok err inf nan``) with a ``%`` prefix; record fields and
flags never need it (WAVE reads them as labels in any case).
"""

from __future__ import annotations

import builtins
import re
import struct
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence, Set
from contextlib import contextmanager
from typing import Any, NoReturn

from domain.model.types import (
    INTEGER_RANGES,
    EnumType,
    Err,
    FlagsType,
    HandleType,
    ListType,
    Ok,
    OptionType,
    Param,
    Primitive,
    RecordType,
    ResultType,
    Some,
    TupleType,
    UnsupportedType,
    ValueType,
    Variant,
    VariantType,
)

__all__ = ["KEYWORDS", "WaveError", "format", "format_args", "parse", "parse_args"]

KEYWORDS = frozenset({"true", "false", "some", "none", "ok", "err", "inf", "nan"})


class WaveError(ValueError):
    """A WAVE text or a Python value that does not fit the expected type.

    ``line`` and ``column`` (1-based) locate a parse error; ``param`` names the
    function parameter when the error came from :func:`parse_args` or
    :func:`format_args`; ``path`` locates a format error inside the value.
    """

    def __init__(
        self,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        param: str | None = None,
        path: str | None = None,
    ) -> None:
        super().__init__(message)
        self.line = line
        self.column = column
        self.param = param
        self.path = path

    def __reduce__(self) -> tuple[Any, ...]:
        return (self.__class__, (str(self),), self.__dict__)


# --- shared helpers -----------------------------------------------------------

_WS_START = frozenset(" \t\n\r/")
# The most digits a value of any integer type has (u64's maximum has 20). A
# longer integer is out of range whatever its type, so it is rejected before
# int() reads it: int() refuses more than 4300 digits and is slow near that.
_INT_DIGITS = max(len(str(abs(v))) for lo_hi in INTEGER_RANGES.values() for v in lo_hi)
# Every repetition below is possessive (``*+``, ``++``, ``?+``): once a run of
# spaces, digits or name characters is matched it is never given back, so a
# failed match costs no more than the text it read. With plain ``*`` a nested
# repetition such as ``(?:[ ]+)*`` would try every way of splitting a run of
# spaces before failing: exponential in the length of the run.
_WS = r"(?:[ \t\n\r]++|//[^\n]*+)*+"
_WS_RE = re.compile(_WS)
_SEP_RE = re.compile(_WS + "(,)?" + _WS)
_FIELD_RE = re.compile(r"%?([\w.+-]++)" + _WS + ":" + _WS)
# The longest run of integers and commas after a "[": a list of integers when a
# "]" follows it.
_INT_LIST_RE = re.compile(
    r"\[((?:[ \t\n\r]*+-?(?:0|[1-9][0-9]{0,%(more)d}+)[ \t\n\r]*+,)*+(?:[ \t\n\r]*+-?(?:0|[1-9][0-9]{0,%(more)d}+))?+[ \t\n\r]*+)"
    % {"more": _INT_DIGITS - 1}
)
_ATOM_RE = re.compile(r"[%\w.+-]++")
_INT_TOKEN_RE = re.compile(r"-?(?:0|[1-9][0-9]*+)(?![\w%.+-])")
_KEYWORD_END = frozenset(" \t\n\r/,:()[]{}")
_FLOAT_RE = re.compile(r"-?(?:0|[1-9][0-9]*+)(?:\.[0-9]++)?+(?:[eE][+-]?[0-9]++)?+")
_STR_PLAIN_RE = re.compile(r'[^"\\\n]*+')
_HEX_RE = re.compile(r"[0-9a-fA-F]{1,6}")
_F32 = struct.Struct("<f")
_INF = float("inf")
_INFINITIES = (_INF, -_INF)
_SIMPLE_ESCAPES = {"'": "'", '"': '"', "\\": "\\", "n": "\n", "r": "\r", "t": "\t"}
_INT_NAMES = frozenset(INTEGER_RANGES)


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _describe(t: ValueType) -> str:
    """How a type is named in messages: ``u8 (0..255)``, ``list<string>``, …"""
    if t.__class__ is Primitive and t.name in _INT_NAMES:  # type: ignore[attr-defined]
        lo, hi = INTEGER_RANGES[t.name]  # type: ignore[attr-defined]
        return f"{t.name} ({lo}..{hi})"  # type: ignore[attr-defined]
    return _short(t.wit(), 80)


# --- parsing ------------------------------------------------------------------

# The parser reads the text once, left to right, apart from a lookahead of a
# few characters and a second pass over a token or a string in a slow path: its
# work is linear in the length of the text. ``_on_steps`` lets a test measure
# that work. It is None in normal use, where each place that reads the text
# costs one ``is not None`` test. Set (by :func:`counting_steps`), it is called
# with the number of characters each scan reads: a token, a run of whitespace
# or comments, a separator, a search for a closing quote or colon, a string's
# body. Converting or copying a token that was already counted is not counted
# again.
_on_steps: Callable[[int], None] | None = None


class StepCount:
    """The characters the parser read while :func:`counting_steps` was active."""

    def __init__(self) -> None:
        self.steps = 0

    def __call__(self, n: int) -> None:
        self.steps += n


@contextmanager
def counting_steps() -> Iterator[StepCount]:
    """Count the parser's steps inside the ``with`` block (for tests; one thread at a time)."""
    global _on_steps
    count = StepCount()
    previous, _on_steps = _on_steps, count
    try:
        yield count
    finally:
        _on_steps = previous


def _location(s: str, i: int) -> tuple[int | None, int]:
    start = s.rfind("\n", 0, i) + 1
    column = i - start + 1
    if "\n" in s:
        return s.count("\n", 0, i) + 1, column
    return None, column


def _error(s: str, i: int, detail: str) -> NoReturn:
    if _on_steps is not None:
        _on_steps(len(s))
    line, column = _location(s, i)
    where = f"at column {column}" if line is None else f"at line {line}, column {column}"
    raise WaveError(f"{where}: {detail}", line=line, column=column)


def _found(s: str, i: int) -> str:
    if i >= len(s):
        return "end of input"
    c = s[i]
    if c == '"':
        return "a string"
    if c == "'":
        return "a char"
    m = _ATOM_RE.match(s, i)
    if _on_steps is not None:
        _on_steps(1 if m is None else m.end() - i + 1)
    if m is not None:
        return '"' + _short(m.group()) + '"'
    return f'"{c}"'


def _expected(s: str, i: int, what: str) -> NoReturn:
    _error(s, i, f"expected {what}, found {_found(s, i)}")


def _skip(s: str, i: int) -> int:
    if i < len(s) and s[i] in _WS_START:
        if s[i] == " " and (i + 1 == len(s) or s[i + 1] not in _WS_START):
            j = i + 1
        else:
            j = _WS_RE.match(s, i).end()  # type: ignore[union-attr]
    else:
        j = i
    if _on_steps is not None:
        _on_steps(j - i + 1)
    return j


def _what(what: str | ValueType, arg: str | ValueType | None = None) -> str:
    """An expectation for a message, built only when an error is raised."""
    if not isinstance(what, str):
        return _describe(what)
    if arg is None:
        return what
    return what % (arg if isinstance(arg, str) else _describe(arg))


def _atom(s: str, i: int, what: str | ValueType) -> str:
    m = _ATOM_RE.match(s, i)
    if m is None:
        _expected(s, i, _what(what))
    if _on_steps is not None:
        _on_steps(m.end() - i + 1)
    return m.group()


def _expect_char(s: str, i: int, c: str, what: str | ValueType, arg: str | ValueType | None = None) -> int:
    if i < len(s) and s[i] == c:
        return i + 1
    _expected(s, i, _what(what, arg))


def _parse_value(s: str, i: int, t: ValueType) -> tuple[Any, int]:
    if t.__class__ is Primitive:
        return _PRIM_PARSE[t.name](s, i)  # type: ignore[attr-defined]
    parser = _PARSE.get(t.__class__)
    if parser is None:
        parser = _parser_for_subclass(t)
    return parser(s, i, t)


def _parser_for_subclass(t: ValueType) -> Callable[[str, int, Any], tuple[Any, int]]:
    if isinstance(t, Primitive):
        return lambda s, i, t: _PRIM_PARSE[t.name](s, i)
    for cls, parser in _PARSE.items():
        if isinstance(t, cls):
            return parser
    raise WaveError(f"values of type {_short(t.wit(), 80)} cannot be written in WAVE")


def _int_parser(name: str) -> Callable[[str, int], tuple[int, int]]:
    lo, hi = INTEGER_RANGES[name]
    what = f"{name} ({lo}..{hi})"
    match = _INT_TOKEN_RE.match

    def parse_int(s: str, i: int) -> tuple[int, int]:
        m = match(s, i)
        if _on_steps is not None:
            _on_steps(1 if m is None else m.end() - i + 1)
        if m is not None:
            digits = m.end() - i - (s[i] == "-")
            if digits > _INT_DIGITS:
                _error(s, i, f"expected {what}, found a {digits}-digit integer")
            v = int(m.group())
            if lo <= v <= hi:
                return v, m.end()
        _expected(s, i, what)

    return parse_int


def _float_parser(name: str) -> Callable[[str, int], tuple[float, int]]:
    single = name == "f32"
    specials = {"nan": float("nan"), "inf": _INF, "-inf": -_INF}

    def parse_float(s: str, i: int) -> tuple[float, int]:
        m = _ATOM_RE.match(s, i)
        if _on_steps is not None:
            _on_steps(1 if m is None else m.end() - i + 1)
        if m is not None:
            text = m.group()
            special = specials.get(text)
            if special is not None:
                return special, m.end()
            if _FLOAT_RE.fullmatch(text) is not None:
                v = float(text)
                if v not in _INFINITIES:
                    if not single:
                        return v, m.end()
                    try:
                        return _F32.unpack(_F32.pack(v))[0], m.end()
                    except OverflowError:
                        pass
                _error(s, i, f'expected {name}, found "{_short(text)}" (out of {name} range)')
        _expected(s, i, f"{name} (a number, nan, inf or -inf)")

    return parse_float


def _parse_bool(s: str, i: int) -> tuple[bool, int]:
    if _on_steps is not None:
        _on_steps(6)
    if s.startswith("true", i):
        j = i + 4
        if j >= len(s) or not _is_atom_char(s[j]):
            return True, j
    elif s.startswith("false", i):
        j = i + 5
        if j >= len(s) or not _is_atom_char(s[j]):
            return False, j
    _expected(s, i, "bool (true or false)")


def _is_atom_char(c: str) -> bool:
    return c.isalnum() or c in "%_.+-"


def _escape(s: str, i: int) -> tuple[str, int]:
    """Decode the escape starting with the backslash at ``s[i]``."""
    c = s[i + 1 : i + 2]
    simple = _SIMPLE_ESCAPES.get(c)
    if simple is not None:
        return simple, i + 2
    if c == "u":
        if s.startswith("{", i + 2):
            m = _HEX_RE.match(s, i + 3)
            if m is not None and s.startswith("}", m.end()):
                code = int(m.group(), 16)
                if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                    _error(s, i, f"\\u{{{m.group()}}} is not a Unicode scalar value")
                return chr(code), m.end() + 1
        _error(s, i, "expected a unicode escape like \\u{1F600}")
    shown = "end of input" if not c else ("a line break" if c == "\n" else f'"\\{c}"')
    _error(s, i, f"expected an escape (\\\\ \\\" \\' \\n \\r \\t \\u{{…}}), found {shown}")


def _parse_string(s: str, i: int) -> tuple[str, int]:
    if not s.startswith('"', i):
        _expected(s, i, "string")
    if s.startswith('"""', i):
        return _parse_multiline(s, i)
    j = s.find('"', i + 1)
    if _on_steps is not None:
        _on_steps((j if j > 0 else len(s)) - i)
    if j > 0:
        body = s[i + 1 : j]
        if "\\" not in body and "\n" not in body:
            return body, j + 1
    m = _STR_PLAIN_RE.match(s, i + 1)
    j = m.end()  # type: ignore[union-attr]
    n = len(s)
    if j < n and s[j] == '"':
        if _on_steps is not None:
            _on_steps(j - i)
        return m.group(), j + 1  # type: ignore[union-attr]
    parts = [m.group()]  # type: ignore[union-attr]
    while True:
        if j >= n:
            _error(s, i, 'unterminated string, expected a closing "')
        c = s[j]
        if c == '"':
            if _on_steps is not None:
                _on_steps(j - i)
            return "".join(parts), j + 1
        if c == "\n":
            _error(s, j, 'expected a closing " or \\n, found a line break inside the string')
        text, j = _escape(s, j)
        parts.append(text)
        m = _STR_PLAIN_RE.match(s, j)
        parts.append(m.group())  # type: ignore[union-attr]
        j = m.end()  # type: ignore[union-attr]


def _unescape(s: str, a: int, b: int) -> str:
    """Decode ``s[a:b]``, a stretch of a multi-line string without line breaks."""
    if s.find("\\", a, b) < 0:
        return s[a:b]
    parts = []
    while a < b:
        k = s.find("\\", a, b)
        if k < 0:
            parts.append(s[a:b])
            break
        parts.append(s[a:k])
        text, a = _escape(s, k)
        parts.append(text)
    return "".join(parts)


def _parse_multiline(s: str, i: int) -> tuple[str, int]:
    j = i + 3
    if s.startswith("\r\n", j):
        j += 2
    elif s.startswith("\n", j):
        j += 1
    else:
        _error(s, j, 'expected a line break after """ (multi-line string)')
    end = s.find('"""', j)
    if end < 0:
        _error(s, i, 'unterminated multi-line string, expected a closing """')
    if _on_steps is not None:
        _on_steps(2 * (end + 3 - i))  # the search for the end, then the lines
    k = end
    while s[k - 1] == " ":
        k -= 1
    if s[k - 1] != "\n":
        _error(s, end, 'expected the closing """ of a multi-line string on a line of its own')
    indent = end - k
    if k <= j:
        return "", end + 3
    lines_end = k - 1
    if s[lines_end - 1] == "\r":
        lines_end -= 1
    decoded: list[str] = []
    start = j
    while True:
        stop = s.find("\n", start, lines_end)
        line_end = lines_end if stop < 0 else stop
        content_end = line_end - 1 if line_end > start and s[line_end - 1] == "\r" else line_end
        spaces = 0
        while spaces < indent and start + spaces < content_end and s[start + spaces] == " ":
            spaces += 1
        if spaces < indent and start + spaces < content_end:
            _error(s, start + spaces, f"expected {indent} spaces of indentation in the multi-line string")
        decoded.append(_unescape(s, start + spaces, content_end))
        if stop < 0:
            break
        start = stop + 1
    return "\n".join(decoded), end + 3


def _parse_char(s: str, i: int) -> tuple[str, int]:
    if not s.startswith("'", i):
        _expected(s, i, "char")
    c = s[i + 1 : i + 2]
    if c == "\\":
        value, j = _escape(s, i + 1)
    elif c and c not in "'\n":
        value, j = c, i + 2
    else:
        _error(s, i, "expected char, found an empty or unterminated char literal")
    if _on_steps is not None:
        _on_steps(j - i + 1)
    if s.startswith("'", j):
        return value, j + 1
    close = s.find("'", j)
    if close < 0 or "\n" in s[j:close]:
        _error(s, i, "unterminated char, expected a closing '")
    _error(s, i, "expected char, found more than one character between quotes (use a string)")


def _parse_int_list(s: str, i: int, name: str) -> tuple[list[int], int] | None:
    """The integers of ``[1, 2, 3]`` in one go, or None to take the slow path."""
    m = _INT_LIST_RE.match(s, i)
    if m is None:
        return None
    end = m.end()
    if _on_steps is not None:
        _on_steps(end - i + 1)
    if not s.startswith("]", end):
        return None
    body = m.group(1).rstrip(" \t\n\r")
    if body.endswith(","):
        body = body[:-1]
    if not body or body.isspace():
        return [], end + 1
    items = list(map(int, body.split(",")))
    lo, hi = INTEGER_RANGES[name]
    if min(items) < lo or max(items) > hi:
        return None
    return items, end + 1


def _parse_list(s: str, i: int, t: ListType) -> tuple[Any, int]:
    if not s.startswith("[", i):
        _expected(s, i, _describe(t))
    element = t.element
    is_bytes = False
    if element.__class__ is Primitive:
        name = element.name  # type: ignore[attr-defined]
        is_bytes = name == "u8"
        if name in _INT_NAMES:
            fast = _parse_int_list(s, i, name)
            if fast is not None:
                return (bytes(fast[0]) if is_bytes else fast[0]), fast[1]
        parse_element = _PRIM_PARSE[name]
    else:
        parse_element = lambda s, i: _parse_value(s, i, element)  # noqa: E731
    items: list[Any] = []
    i = _skip(s, i + 1)
    if s.startswith("]", i):
        i += 1
    else:
        sep = _SEP_RE.match
        n = len(s)
        while True:
            value, i = parse_element(s, i)
            items.append(value)
            if s.startswith(", ", i) and i + 2 < n and s[i + 2] not in _WS_START and s[i + 2] != "]":
                i += 2
                continue
            if s.startswith("]", i):
                i += 1
                break
            m = sep(s, i)
            if _on_steps is not None:
                _on_steps(m.end() - i + 1)  # type: ignore[union-attr]
            i = m.end()  # type: ignore[union-attr]
            if i < n and s[i] == "]":
                i += 1
                break
            if m.group(1) is None:  # type: ignore[union-attr]
                _expected(s, i, '"," or "]"')
    if is_bytes:
        return bytes(items), i
    return items, i


def _parse_tuple(s: str, i: int, t: TupleType) -> tuple[tuple[Any, ...], int]:
    if not s.startswith("(", i):
        _expected(s, i, _describe(t))
    elements = t.elements
    count = len(elements)
    i = _skip(s, i + 1)
    items: list[Any] = []
    for k, element in enumerate(elements):
        value, i = _parse_value(s, i, element)
        items.append(value)
        last = k == count - 1
        m = _SEP_RE.match(s, i)
        j = m.end()  # type: ignore[union-attr]
        if _on_steps is not None:
            _on_steps(j - i + 1)
        if j < len(s) and s[j] == ")" and last:
            return tuple(items), j + 1
        if last:
            _expected(s, j, f'")" after {count} element(s) of {_describe(t)}')
        if m.group(1) is None or (j < len(s) and s[j] == ")"):  # type: ignore[union-attr]
            _expected(s, j, f'"," and {count - 1 - k} more element(s) of {_describe(t)}')
        i = j
    return (), _expect_char(s, i, ")", '")" (empty tuple)')


def _parse_record(s: str, i: int, t: RecordType) -> tuple[dict[str, Any], int]:
    open_at = i
    if not s.startswith("{", i):
        _expected(s, i, _describe(t))
    types = dict(t.fields)
    got: dict[str, Any] = {}
    i = _skip(s, i + 1)
    if s.startswith(":", i):
        i = _expect_char(s, _skip(s, i + 1), "}", '"}" after "{:" (empty record)')
    elif s.startswith("}", i):
        i += 1
    else:
        n = len(s)
        while True:
            colon = s.find(":", i)
            if _on_steps is not None:
                _on_steps((colon if colon >= 0 else n) - i + 1)
            name = s[i:colon] if colon > i else ""
            field_type = types.get(name)
            if field_type is not None:
                j = colon + 1
                if s.startswith(" ", j) and j + 1 < n and s[j + 1] not in _WS_START:
                    j += 1
                else:
                    j = _skip(s, j)
            else:
                m = _FIELD_RE.match(s, i)
                if m is None:
                    text = _atom(s, i, "a field name")
                    _expected(s, _skip(s, i + len(text)), f'":" after field "{text.lstrip("%")}"')
                name = m.group(1)
                field_type = types.get(name)
                if field_type is None:
                    names = ", ".join(n for n, _ in t.fields)
                    _error(s, i, f'unknown field "{_short(name)}" (fields: {names})')
                j = m.end()
                if _on_steps is not None:
                    _on_steps(j - i + 1)
            if name in got:
                _error(s, i, f'field "{name}" given twice')
            got[name], i = _parse_value(s, j, field_type)
            if s.startswith(", ", i) and i + 2 < n and s[i + 2] not in _WS_START and s[i + 2] != "}":
                i += 2
                continue
            if s.startswith("}", i):
                i += 1
                break
            m = _SEP_RE.match(s, i)
            if _on_steps is not None:
                _on_steps(m.end() - i + 1)  # type: ignore[union-attr]
            i = m.end()  # type: ignore[union-attr]
            if i < n and s[i] == "}":
                i += 1
                break
            if m.group(1) is None:  # type: ignore[union-attr]
                _expected(s, i, '"," or "}"')
    if len(got) == len(types):
        return {n: got[n] for n in types}, i
    out: dict[str, Any] = {}
    for name, field_type in t.fields:
        if name in got:
            out[name] = got[name]
        elif isinstance(field_type, OptionType):
            out[name] = None
        else:
            _error(s, open_at, f'record is missing field "{name}" ({_describe(field_type)})')
    return out, i


def _parse_payload(s: str, i: int, t: ValueType, what: str) -> tuple[Any, int]:
    if i < len(s) and s[i] == "(":
        i = _skip(s, i + 1)
    else:
        _expected(s, i, f'"(" and the {_describe(t)} payload of {what}')
    value, i = _parse_value(s, i, t)
    return value, _expect_char(s, _skip(s, i), ")", '")" closing %s', what)


def _has_payload(s: str, i: int) -> tuple[bool, int]:
    j = _skip(s, i)
    return j < len(s) and s[j] == "(", j


def _parse_variant(s: str, i: int, t: VariantType) -> tuple[Variant, int]:
    text = _atom(s, i, t)
    name = text[1:] if text[0] == "%" else text
    for case, payload_type in t.cases:
        if case == name:
            break
    else:
        cases = ", ".join(n for n, _ in t.cases)
        _error(s, i, f'unknown case "{_short(name)}" (cases: {cases})')
    j = i + len(text)
    if payload_type is None:
        opened, k = _has_payload(s, j)
        if opened:
            _error(s, k, f'case "{name}" has no payload, found "("')
        return Variant(name), j
    value, j = _parse_payload(s, _skip(s, j), payload_type, f'case "{name}"')
    return Variant(name, value), j


def _parse_enum(s: str, i: int, t: EnumType) -> tuple[str, int]:
    text = _atom(s, i, t)
    name = text[1:] if text[0] == "%" else text
    if name not in t.names:
        _error(s, i, f'unknown case "{_short(name)}" (cases: {", ".join(t.names)})')
    return name, i + len(text)


def _allows_flat(t: ValueType | None) -> bool:
    return t is not None and not isinstance(t, (OptionType, ResultType))


def _parse_option(s: str, i: int, t: OptionType) -> tuple[Some | None, int]:
    if s.startswith("none", i) and (i + 4 == len(s) or s[i + 4] in _KEYWORD_END):
        if _on_steps is not None:
            _on_steps(5)
        return None, i + 4
    m = _ATOM_RE.match(s, i)
    if _on_steps is not None:
        _on_steps(1 if m is None else m.end() - i + 1)
    text = m.group() if m is not None else ""
    if text == "none":
        return None, m.end()  # type: ignore[union-attr]
    if text == "some":
        value, j = _parse_payload(s, _skip(s, m.end()), t.payload, "some")  # type: ignore[union-attr]
        return Some(value), j
    if _allows_flat(t.payload):
        value, j = _parse_value(s, i, t.payload)
        return Some(value), j
    _expected(s, i, f"some(…) or none for {_describe(t)}")


def _parse_result(s: str, i: int, t: ResultType) -> tuple[Ok | Err, int]:
    m = _ATOM_RE.match(s, i)
    if _on_steps is not None:
        _on_steps(1 if m is None else m.end() - i + 1)
    text = m.group() if m is not None else ""
    if text in ("ok", "err"):
        payload_type = t.ok if text == "ok" else t.err
        j = m.end()  # type: ignore[union-attr]
        if payload_type is None:
            opened, k = _has_payload(s, j)
            if opened:
                _error(s, k, f'{text} has no payload in {_describe(t)}, found "("')
            value = None
        else:
            value, j = _parse_payload(s, _skip(s, j), payload_type, text)
        return (Ok(value) if text == "ok" else Err(value)), j
    if _allows_flat(t.ok):
        value, j = _parse_value(s, i, t.ok)  # type: ignore[arg-type]
        return Ok(value), j
    _expected(s, i, f"ok or err for {_describe(t)}")


def _parse_flags(s: str, i: int, t: FlagsType) -> tuple[frozenset[str], int]:
    i = _skip(s, _expect_char(s, i, "{", t))
    got: set[str] = set()
    while i < len(s) and s[i] != "}":
        text = _atom(s, i, "a flag name")
        name = text[1:] if text[0] == "%" else text
        if name not in t.names:
            _error(s, i, f'unknown flag "{_short(name)}" (flags: {", ".join(t.names)})')
        if name in got:
            _error(s, i, f'flag "{name}" given twice')
        got.add(name)
        i = _skip(s, i + len(text))
        if i < len(s) and s[i] == ",":
            i = _skip(s, i + 1)
        elif i >= len(s) or s[i] != "}":
            _expected(s, i, '"," or "}"')
    return frozenset(got), _expect_char(s, i, "}", '"}"')


def _parse_unsupported(s: str, i: int, t: ValueType) -> NoReturn:
    _error(s, i, f"values of type {_short(t.wit(), 80)} cannot be written in WAVE")


_PRIM_PARSE: dict[str, Callable[[str, int], tuple[Any, int]]] = {
    **{name: _int_parser(name) for name in INTEGER_RANGES},
    "bool": _parse_bool,
    "f32": _float_parser("f32"),
    "f64": _float_parser("f64"),
    "char": _parse_char,
    "string": _parse_string,
}

_PARSE: dict[type, Callable[[str, int, Any], tuple[Any, int]]] = {
    ListType: _parse_list,
    TupleType: _parse_tuple,
    RecordType: _parse_record,
    VariantType: _parse_variant,
    EnumType: _parse_enum,
    OptionType: _parse_option,
    ResultType: _parse_result,
    FlagsType: _parse_flags,
    HandleType: _parse_unsupported,
    UnsupportedType: _parse_unsupported,
}


_MISS: Any = object()


def _fast_int(name: str) -> Callable[[str], Any]:
    lo, hi = INTEGER_RANGES[name]

    def fast(text: str) -> Any:
        digits = text[1:] if text[:1] == "-" else text
        if (
            len(digits) <= _INT_DIGITS
            and digits.isascii()
            and digits.isdigit()
            and (digits[0] != "0" or len(digits) == 1)
        ):
            v = int(text)
            if lo <= v <= hi:
                return v
        return _MISS

    return fast


def _fast_string(text: str) -> Any:
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        body = text[1:-1]
        if '"' not in body and "\\" not in body and "\n" not in body:
            return body
    return _MISS


def _fast_bool(text: str) -> Any:
    if text == "true":
        return True
    if text == "false":
        return False
    return _MISS


def _fast_float(name: str) -> Callable[[str], Any]:
    single = name == "f32"

    def fast(text: str) -> Any:
        if _FLOAT_RE.fullmatch(text) is None:
            return _MISS
        v = float(text)
        if single:
            try:
                return _F32.unpack(_F32.pack(v))[0]
            except OverflowError:
                return _MISS
        return v if v - v == 0.0 else _MISS

    return fast


_PRIM_FAST: dict[str, Callable[[str], Any]] = {
    **{name: _fast_int(name) for name in INTEGER_RANGES},
    "bool": _fast_bool,
    "f32": _fast_float("f32"),
    "f64": _fast_float("f64"),
    "string": _fast_string,
}


def parse(text: str, type: ValueType) -> Any:
    """Parse WAVE ``text`` into the Python value of ``type``.

    Raises :class:`WaveError` naming the column (and line, for multi-line
    text) of the first mistake and what was expected there.
    """
    if type.__class__ is Primitive:
        fast = _PRIM_FAST.get(type.name)  # type: ignore[attr-defined]
        if fast is not None:
            if _on_steps is not None:
                _on_steps(len(text) + 1)
            value = fast(text)
            if value is not _MISS:
                return value
    i = _skip(text, 0)
    value, i = _parse_value(text, i, type)
    i = _skip(text, i)
    if i != len(text):
        _expected(text, i, "end of input")
    return value


def _signature(params: Sequence[Param]) -> str:
    return "(" + ", ".join(f"{p.name}: {p.type.wit()}" for p in params) + ")"


def _arity_error(params: Sequence[Param], got: int) -> WaveError:
    count = len(params)
    if count == 0:
        return WaveError(f"expects no arguments, got {got}")
    noun = "argument" if count == 1 else "arguments"
    return WaveError(f"expects {count} {noun} {_signature(params)}, got {got}")


def parse_args(texts: Sequence[str], params: Sequence[Param]) -> list[Any]:
    """Parse one WAVE text per parameter.

    Trailing ``option`` parameters may be left out; they are ``none``.
    """
    if len(texts) != len(params):
        rest = params[len(texts) :]
        if len(texts) > len(params) or not all(isinstance(p.type, OptionType) for p in rest):
            raise _arity_error(params, len(texts))
    values: list[Any] = []
    for text, param in zip(texts, params):
        try:
            values.append(parse(text, param.type))
        except WaveError as e:
            raise WaveError(
                f"argument {param.name} ({_short(param.type.wit(), 80)}): {e}",
                line=e.line,
                column=e.column,
                param=param.name,
            ) from None
    values.extend(None for _ in params[len(texts) :])
    return values


# --- formatting ---------------------------------------------------------------


class _Mismatch(Exception):
    """A value that does not fit its type; ``path`` grows while unwinding."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail
        self.path: list[str] = []


def _got(value: Any) -> str:
    return f"{builtins.type(value).__name__} {_short(repr(value), 60)}"


def _mismatch(t: ValueType | str, value: Any) -> NoReturn:
    what = t if isinstance(t, str) else _describe(t)
    raise _Mismatch(f"expected {what}, got {_got(value)}")


def _fmt(v: Any, t: ValueType) -> str:
    if t.__class__ is Primitive:
        return _PRIM_FMT[t.name](v)  # type: ignore[attr-defined]
    formatter = _FMT.get(t.__class__)
    if formatter is None:
        formatter = _formatter_for_subclass(t)
    return formatter(v, t)


def _formatter_for_subclass(t: ValueType) -> Callable[[Any, Any], str]:
    if isinstance(t, Primitive):
        return lambda v, t: _PRIM_FMT[t.name](v)
    for cls, formatter in _FMT.items():
        if isinstance(t, cls):
            return formatter
    raise _Mismatch(f"values of type {_short(t.wit(), 80)} cannot be written in WAVE")


def _int_formatter(name: str) -> Callable[[Any], str]:
    lo, hi = INTEGER_RANGES[name]
    what = f"{name} ({lo}..{hi})"

    def format_int(v: Any) -> str:
        if v.__class__ is int and lo <= v <= hi:
            return str(v)
        if isinstance(v, int) and not isinstance(v, bool) and lo <= v <= hi:
            return str(int(v))
        _mismatch(what, v)

    return format_int


def _as_float(v: Any, name: str) -> float:
    if v.__class__ is float:
        return float(v)
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        try:
            return float(v)
        except OverflowError:
            pass
    _mismatch(name, v)


def _float_text(x: float) -> str:
    text = repr(x)
    if "e" in text:
        mantissa, _, exponent = text.partition("e")
        return f"{mantissa}e{int(exponent)}"
    return text


def _format_f64(v: Any) -> str:
    return _float_text(_as_float(v, "f64"))


_F32_PRECISIONS = tuple(f"%.{p}g" for p in range(1, 10))


def _format_f32(v: Any) -> str:
    x = _as_float(v, "f32")
    if x != x or x in _INFINITIES:
        return _float_text(x)
    pack, unpack = _F32.pack, _F32.unpack
    try:
        x = unpack(pack(x))[0]
    except OverflowError:
        raise _Mismatch(f"expected f32, got {_got(v)} (out of f32 range)") from None
    for spec in _F32_PRECISIONS:
        candidate = float(spec % x)
        try:
            if unpack(pack(candidate))[0] == x:
                return _float_text(candidate)
        except OverflowError:
            continue
    return _float_text(x)


def _format_bool(v: Any) -> str:
    if v is True:
        return "true"
    if v is False:
        return "false"
    _mismatch("bool", v)


_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_KEEP_CATEGORIES = frozenset({"Zs", "Co", "Cn"})


def _escaped(v: str, quote: str, what: str) -> str:
    out: list[str] = []
    for c in v:
        escape = _ESCAPES.get(c)
        if escape is not None:
            out.append(escape)
        elif c == quote:
            out.append("\\" + quote)
        elif c.isprintable():
            out.append(c)
        else:
            category = unicodedata.category(c)
            if category == "Cs":
                raise _Mismatch(f"expected {what}, got a lone surrogate \\u{{{ord(c):x}}} (not a Unicode scalar value)")
            out.append(c if category in _KEEP_CATEGORIES else f"\\u{{{ord(c):x}}}")
    return "".join(out)


def _format_string(v: Any) -> str:
    if v.__class__ is not str:
        if not isinstance(v, str):
            _mismatch("string", v)
        v = str(v)
    if v.isprintable() and '"' not in v and "\\" not in v:
        return '"' + v + '"'
    return '"' + _escaped(v, '"', "string") + '"'


def _format_char(v: Any) -> str:
    if not isinstance(v, str) or len(v) != 1:
        _mismatch("char (a str of length 1)", v)
    if v.isprintable() and v != "'" and v != "\\":
        return "'" + v + "'"
    return "'" + _escaped(str(v), "'", "char") + "'"


def _check_list(v: Any, t: ValueType) -> Sequence[Any]:
    if isinstance(v, (list, tuple)):
        return v
    _mismatch(t, v)


def _format_list(v: Any, t: ListType) -> str:
    element = t.element
    if isinstance(v, (bytes, bytearray, memoryview)) and element.__class__ is Primitive and element.name == "u8":  # type: ignore[attr-defined]
        return "[" + ", ".join(map(str, bytes(v))) + "]"
    items = _check_list(v, t)
    if element.__class__ is Primitive:
        fmt_prim = _PRIM_FMT[element.name]  # type: ignore[attr-defined]
        try:
            return "[" + ", ".join([fmt_prim(x) for x in items]) + "]"
        except _Mismatch as e:
            for k, x in enumerate(items):
                try:
                    fmt_prim(x)
                except _Mismatch:
                    e.path.append(f"[{k}]")
                    break
            raise
    parts = []
    for k, x in enumerate(items):
        try:
            parts.append(_fmt(x, element))
        except _Mismatch as e:
            e.path.append(f"[{k}]")
            raise
    return "[" + ", ".join(parts) + "]"


def _format_tuple(v: Any, t: TupleType) -> str:
    if not isinstance(v, (tuple, list)) or len(v) != len(t.elements):
        _mismatch(t, v)
    parts = []
    for k, (x, element) in enumerate(zip(v, t.elements)):
        try:
            parts.append(_fmt(x, element))
        except _Mismatch as e:
            e.path.append(f"[{k}]")
            raise
    return "(" + ", ".join(parts) + ")"


def _format_record(v: Any, t: RecordType) -> str:
    if not isinstance(v, Mapping):
        _mismatch(t, v)
    if not t.fields:
        if v:
            raise _Mismatch(f"unknown field(s) {', '.join(map(repr, v))} for {_describe(t)}")
        return "{:}"
    parts = []
    for name, field_type in t.fields:
        try:
            x = v[name]
        except KeyError:
            raise _Mismatch(f'missing field "{name}" ({_describe(field_type)})') from None
        try:
            parts.append(name + ": " + _fmt(x, field_type))
        except _Mismatch as e:
            e.path.append("." + name)
            raise
    if len(v) != len(t.fields):
        names = {n for n, _ in t.fields}
        extra = ", ".join(repr(k) for k in v if k not in names)
        raise _Mismatch(f"unknown field(s) {extra} for {_describe(t)}")
    return "{" + ", ".join(parts) + "}"


def _label_text(name: str) -> str:
    return "%" + name if name in KEYWORDS else name


def _format_variant(v: Any, t: VariantType) -> str:
    if not isinstance(v, Variant):
        _mismatch(f"Variant of {_describe(t)}", v)
    for case, payload_type in t.cases:
        if case == v.case:
            break
    else:
        cases = ", ".join(n for n, _ in t.cases)
        raise _Mismatch(f"unknown case {v.case!r} (cases: {cases})")
    if payload_type is None:
        if v.payload is not None:
            raise _Mismatch(f'case "{case}" has no payload, got {_got(v.payload)}')
        return _label_text(case)
    try:
        return _label_text(case) + "(" + _fmt(v.payload, payload_type) + ")"
    except _Mismatch as e:
        e.path.append("." + case)
        raise


def _format_enum(v: Any, t: EnumType) -> str:
    if isinstance(v, str) and v in t.names:
        return _label_text(v)
    if isinstance(v, str):
        raise _Mismatch(f"unknown case {_short(repr(v))} (cases: {', '.join(t.names)})")
    _mismatch(f"str case of {_describe(t)}", v)


def _format_option(v: Any, t: OptionType) -> str:
    if v is None:
        return "none"
    if v.__class__ is not Some and not isinstance(v, Some):
        _mismatch(f"None or Some for {_describe(t)}", v)
    try:
        return "some(" + _fmt(v.value, t.payload) + ")"
    except _Mismatch as e:
        e.path.append(".some")
        raise


def _format_result(v: Any, t: ResultType) -> str:
    if isinstance(v, Ok):
        tag, payload_type = "ok", t.ok
    elif isinstance(v, Err):
        tag, payload_type = "err", t.err
    else:
        _mismatch(f"Ok or Err for {_describe(t)}", v)
    if payload_type is None:
        if v.value is not None:
            raise _Mismatch(f"{tag} has no payload in {_describe(t)}, got {_got(v.value)}")
        return tag
    try:
        return tag + "(" + _fmt(v.value, payload_type) + ")"
    except _Mismatch as e:
        e.path.append("." + tag)
        raise


def _format_flags(v: Any, t: FlagsType) -> str:
    if not isinstance(v, Set) or not all(isinstance(x, str) for x in v):
        _mismatch(f"frozenset of flag names of {_describe(t)}", v)
    if not v <= set(t.names):
        unknown = ", ".join(sorted(repr(x) for x in v if x not in t.names))
        raise _Mismatch(f"unknown flag(s) {unknown} (flags: {', '.join(t.names)})")
    return "{" + ", ".join(n for n in t.names if n in v) + "}"


def _format_unsupported(v: Any, t: ValueType) -> NoReturn:
    raise _Mismatch(f"values of type {_short(t.wit(), 80)} cannot be written in WAVE")


_PRIM_FMT: dict[str, Callable[[Any], str]] = {
    **{name: _int_formatter(name) for name in INTEGER_RANGES},
    "bool": _format_bool,
    "f32": _format_f32,
    "f64": _format_f64,
    "char": _format_char,
    "string": _format_string,
}

_FMT: dict[type, Callable[[Any, Any], str]] = {
    ListType: _format_list,
    TupleType: _format_tuple,
    RecordType: _format_record,
    VariantType: _format_variant,
    EnumType: _format_enum,
    OptionType: _format_option,
    ResultType: _format_result,
    FlagsType: _format_flags,
    HandleType: _format_unsupported,
    UnsupportedType: _format_unsupported,
}


def _format_error(e: _Mismatch) -> WaveError:
    path = "".join(reversed(e.path)).lstrip(".")
    if not path:
        return WaveError(e.detail)
    return WaveError(f"at {path}: {e.detail}", path=path)


def format(value: Any, type: ValueType) -> str:
    """The canonical WAVE text of ``value``.

    Raises :class:`WaveError` when ``value`` does not fit ``type``; the message
    names where in the value (``items[2].qty``) and what was expected.
    """
    try:
        if type.__class__ is Primitive:
            return _PRIM_FMT[type.name](value)  # type: ignore[attr-defined]
        return _fmt(value, type)
    except _Mismatch as e:
        raise _format_error(e) from None


def format_args(values: Sequence[Any], params: Sequence[Param]) -> str:
    """The arguments of a call as WAVE, e.g. ``(1, "x")``.

    Raises :class:`WaveError` on a wrong count or a value that does not fit
    its parameter (the message names the parameter).
    """
    if len(values) != len(params):
        raise _arity_error(params, len(values))
    parts = []
    for value, param in zip(values, params):
        try:
            parts.append(format(value, param.type))
        except WaveError as e:
            raise WaveError(
                f"argument {param.name} ({_short(param.type.wit(), 80)}): {e}", param=param.name, path=e.path
            ) from None
    return "(" + ", ".join(parts) + ")"
