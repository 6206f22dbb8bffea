"""A Golem-shaped component: WASI through the Python standard library, wasi:http
0.2.0 by hand, and golem:api/host, which Worker Desk does not provide."""

import os
import random
import re
from urllib.parse import urlsplit

from componentize_py_types import Err, Ok
from wit_world import exports
from wit_world.imports import host, outgoing_handler, types

# The bindings spell error-code cases in CamelCase (ErrorCode_HttpRequestDenied);
# these words are upper case in the WIT names (HTTP-request-denied).
_ACRONYMS = {"Dns": "DNS", "Ip": "IP", "Tls": "TLS", "Http": "HTTP", "Uri": "URI"}


def case_name(code: object) -> str:
    """The WIT name of an error-code case: ``ErrorCode_DnsTimeout()`` -> ``DNS-timeout``."""
    words = re.findall(r"[A-Z][a-z]*", type(code).__name__.split("_", 1)[1])
    return "-".join(_ACRONYMS.get(w, w.lower()) for w in words)


def get(url: str) -> str:
    parts = urlsplit(url)
    request = types.OutgoingRequest(types.Fields())
    request.set_scheme(types.Scheme_Https() if parts.scheme == "https" else types.Scheme_Http())
    request.set_authority(parts.netloc)
    request.set_path_with_query((parts.path or "/") + (f"?{parts.query}" if parts.query else ""))
    try:
        future = outgoing_handler.handle(request, None)
    except Err as e:
        return f"error {case_name(e.value)}"
    with future:
        with future.subscribe() as ready:
            ready.block()
        outcome = future.get()
    if outcome is None or isinstance(outcome, Err):
        return "error no response"
    response = outcome.value
    if isinstance(response, Err):
        return f"error {case_name(response.value)}"
    assert isinstance(response, Ok)
    with response.value as incoming:
        return f"status {incoming.status()}"


class Api(exports.Api):
    def fetch(self, url):
        return get(url)

    def roll(self):
        return random.SystemRandom().getrandbits(64)

    def env(self, name):
        return os.environ.get(name)

    def promise(self):
        return host.create_promise()

    def workers(self):
        with host.GetWorkers(os.environ.get("GOLEM_COMPONENT_ID", "")) as found:
            return len(found.get_next() or [])

    def ping(self):
        return 1
