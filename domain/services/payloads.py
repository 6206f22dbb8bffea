"""Large values of invocations live in the blob store, behind the model's payload reference.

An argument or result whose WAVE text is over ``INLINE_LIMIT`` is kept as a
blob and its event field holds ``@payload:…`` instead: a ``list<u8>`` as its
raw bytes (so a 50 MiB argument is 50 MiB of blob, not 150 MB of WAVE text),
anything else as its WAVE text. Replay reads them back from there. Captured
output is cut at ``OUTPUT_LIMIT`` with a visible marker.
"""

from __future__ import annotations

from typing import Any, Sequence

from domain.model import wave
from domain.model.payload import INLINE_LIMIT, RAW_BYTES, WAVE_TEXT, PayloadRef, as_text, from_text
from domain.model.types import ListType, Param, Primitive, ValueType

from .ports import BlobStore

OUTPUT_LIMIT = 16 * 1024


def is_bytes(t: ValueType | None) -> bool:
    return isinstance(t, ListType) and t.is_bytes


class Payloads:
    def __init__(self, blobs: BlobStore) -> None:
        self.blobs = blobs

    def text_of(self, value: Any, t: ValueType, store: bool = True) -> str:
        """The text an event keeps for ``value``: its WAVE text, or a reference to a blob
        (put in the blob store unless ``store`` is False, as when a replay only compares)."""
        if is_bytes(t) and isinstance(value, (bytes, bytearray)) and len(value) > INLINE_LIMIT // 4:
            data = bytes(value)
            media = RAW_BYTES
        else:
            text = wave.format(value, t)
            if len(text) <= INLINE_LIMIT:
                return text
            data, media = text.encode("utf-8"), WAVE_TEXT
        if store:
            self.blobs.put(data)
        return as_text(PayloadRef.of(data, media))

    def value_of(self, text: str, t: ValueType) -> Any:
        """The value an event's text stands for."""
        ref = from_text(text)
        if ref is None:
            return wave.parse(text, t)
        data = self.blobs.get(ref.hash)
        if ref.media_type == RAW_BYTES:
            return data
        return wave.parse(data.decode("utf-8"), t)

    def wave_of(self, text: str | None) -> str | None:
        """The WAVE text an event's text stands for (fetched from the blob store when it is a reference)."""
        ref = from_text(text)
        if ref is None:
            return text
        data = self.blobs.get(ref.hash)
        if ref.media_type == RAW_BYTES:
            return wave.format(data, ListType(Primitive("u8")))
        return data.decode("utf-8")

    def args_of(self, texts: Sequence[str | bytes], params: Sequence[Param]) -> list[Any]:
        """Argument texts back to values, through ``wave.parse_args`` (its checks, its messages).

        A text may be a payload reference, and an item may be raw ``bytes``
        given for a ``list<u8>`` parameter (``worker invoke … @file:PATH``).
        """
        refs = [None if isinstance(t, bytes) else from_text(t) for t in texts]
        if not any(refs) and not any(isinstance(t, bytes) for t in texts):
            return wave.parse_args(texts, params)  # type: ignore[arg-type]
        plain: list[str] = []
        raw: dict[int, bytes] = {}
        for i, (text, ref) in enumerate(zip(texts, refs)):
            if isinstance(text, bytes):
                raw[i] = text
                plain.append("[]")
            elif ref is None:
                plain.append(text)
            elif ref.media_type == RAW_BYTES:
                raw[i] = self.blobs.get(ref.hash)
                plain.append("[]")  # parses only where a list<u8> is expected, as the bytes must
            else:
                plain.append(self.blobs.get(ref.hash).decode("utf-8"))
        values = wave.parse_args(plain, params)
        for i, data in raw.items():
            values[i] = data
        return values


    def pack_host_calls(self, calls: list[list[Any]]) -> list[list[Any]]:
        """Host calls as an event keeps them: random bytes over the inline limit become a blob reference."""
        packed = []
        for call in calls:
            value = call[-1] if call else None
            if isinstance(value, str) and len(value) > INLINE_LIMIT and call[0].endswith("random-bytes"):
                data = bytes.fromhex(value)
                self.blobs.put(data)
                call = [*call[:-1], as_text(PayloadRef.of(data, RAW_BYTES))]
            packed.append(call)
        return packed

    def unpack_host_calls(self, calls: list[list[Any]]) -> list[list[Any]]:
        """Recorded host calls with their referenced random bytes read back (as the hex they were recorded as)."""
        if not any(call and isinstance(call[-1], str) and from_text(call[-1]) for call in calls):
            return calls
        out = []
        for call in calls:
            ref = from_text(call[-1]) if call and isinstance(call[-1], str) else None
            out.append(call if ref is None else [*call[:-1], self.blobs.get(ref.hash).hex()])
        return out


def cap_output(text: str) -> str:
    """Captured output kept in the history: at most ``OUTPUT_LIMIT`` characters, then a marker."""
    if len(text) <= OUTPUT_LIMIT:
        return text
    return text[:OUTPUT_LIMIT] + f"\n… [truncated: {len(text) - OUTPUT_LIMIT:,} more characters not kept]\n"


