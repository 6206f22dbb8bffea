"""A function's arguments written as one text: WAVE values separated by commas.

``5, "a, b", [1, 2]`` is three arguments. :func:`split_arguments` cuts such a
text at its top-level commas into one WAVE text per argument, the form
:func:`domain.model.wave.parse_args` reads (and the CLI takes, one shell
argument per value). :func:`parse_arguments` splits and parses in one step
and names the line and column of a mistake in the whole text.

Commas inside strings, chars, comments and brackets do not separate
arguments. Whitespace and ``//`` comments may stand anywhere between values;
a trailing comma is allowed (as in a WAVE tuple), and a text of only
whitespace and comments is no arguments at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NoReturn

from domain.model import wave
from domain.model.types import Param

__all__ = ["parse_arguments", "split_arguments"]

_WS = " \t\n\r"
_CLOSERS = {"(": ")", "[": "]", "{": "}"}


def _where(text: str, i: int) -> tuple[int | None, int, str]:
    """The line (None for one-line text), column and words for position ``i`` of ``text``."""
    start = text.rfind("\n", 0, i) + 1
    column = i - start + 1
    if "\n" not in text:
        return None, column, f"at column {column}"
    line = text.count("\n", 0, i) + 1
    return line, column, f"at line {line}, column {column}"


def _error(text: str, i: int, detail: str) -> NoReturn:
    line, column, where = _where(text, i)
    raise wave.WaveError(f"{where}: {detail}", line=line, column=column)


def _end_of_string(text: str, i: int) -> int:
    """The index after the string, char or multi-line string that starts at ``i``."""
    if text.startswith('"""', i):
        end = text.find('"""', i + 3)
        if end < 0:
            _error(text, i, 'unterminated multi-line string, expected a closing """')
        return end + 3
    quote = text[i]
    what = "string" if quote == '"' else "char"
    j = i + 1
    n = len(text)
    while j < n:
        c = text[j]
        if c == "\\":
            j += 2
        elif c == quote:
            return j + 1
        elif c == "\n":
            _error(text, j, f"expected a closing {quote}, found a line break inside the {what}")
        else:
            j += 1
    _error(text, i, f"unterminated {what}, expected a closing {quote}")


def _pieces(text: str) -> list[tuple[int, str]]:
    """Each argument's text, without whitespace or comments around it, and the index where it starts."""
    pieces: list[tuple[int, str]] = []
    closers: list[str] = []  # what closes each bracket still open, innermost last
    first: int | None = None  # where the current argument's text starts (None: nothing yet)
    last = 0  # where it ends so far
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c in _WS:
            i += 1
            continue
        if c == "/" and text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        if c == "," and not closers:
            pieces.append((i, "") if first is None else (first, text[first:last]))
            first = None
            i += 1
            continue
        if first is None:
            first = i
        if c == '"' or c == "'":
            i = _end_of_string(text, i)
        else:
            if c in _CLOSERS:
                closers.append(_CLOSERS[c])
            elif c in ")]}":
                if not closers:
                    _error(text, i, f'expected "," or the end of the arguments, found "{c}"')
                closer = closers.pop()
                if c != closer:
                    _error(text, i, f'expected "{closer}", found "{c}"')
            i += 1
        last = i
    if closers:
        _error(text, n, f'expected "{closers[-1]}", found end of input')
    if first is not None:  # else a blank end: no arguments at all, or a trailing comma
        pieces.append((first, text[first:last]))
    return pieces


def split_arguments(text: str) -> list[str]:
    """One WAVE text per argument: ``5, "a, b", [1, 2]`` → ``["5", '"a, b"', "[1, 2]"]``.

    Raises :class:`~domain.model.wave.WaveError`, naming the line and column,
    when the text cannot be cut into arguments: an unterminated string or
    char, or a bracket that is not closed or closes nothing.
    """
    return [piece for _, piece in _pieces(text)]


def parse_arguments(text: str, params: Sequence[Param]) -> list[Any]:
    """The values of ``params`` written in ``text``: :func:`split_arguments`, then ``wave.parse_args``.

    Trailing ``option`` parameters may be left out (they are ``none``). A
    :class:`~domain.model.wave.WaveError` names the argument, and the line and
    column of the mistake in ``text``.
    """
    pieces = _pieces(text)
    texts = [piece for _, piece in pieces]
    try:
        try:
            return wave.parse_args(texts, params)
        except wave.WaveError as e:
            if e.param is not None:
                raise
            # Too many or too few: a value that does not parse (``1 2``, a comma
            # left out) says more than the count.
            both = min(len(texts), len(params))
            wave.parse_args(texts[:both], params[:both])
            raise
    except wave.WaveError as e:
        if e.param is None or e.column is None:
            raise
        index = next(k for k, p in enumerate(params) if p.name == e.param)
        raise _relocated(e, text, *pieces[index]) from None


def _relocated(e: wave.WaveError, text: str, offset: int, piece: str) -> wave.WaveError:
    """``e``, a mistake in ``piece``, located in ``text`` where ``piece`` starts at ``offset``."""
    assert e.column is not None
    old = f"at column {e.column}" if e.line is None else f"at line {e.line}, column {e.column}"
    message = str(e)
    k = message.find(old + ": ")
    if k < 0:
        return e
    line_start = 0
    for _ in range((e.line or 1) - 1):
        line_start = piece.index("\n", line_start) + 1
    at = offset + line_start + e.column - 1
    line, column, where = _where(text, at)
    detail = message[k + len(old) :]
    # The end of one argument's text is a comma or the end of them all.
    if detail.startswith(": expected end of input, "):
        detail = ': expected "," or the end of the arguments, ' + detail[len(": expected end of input, ") :]
    elif detail.endswith(", found end of input") and text.startswith(",", at):
        detail = detail[: -len("end of input")] + '","'
    return wave.WaveError(message[:k] + where + detail, line=line, column=column, param=e.param)
