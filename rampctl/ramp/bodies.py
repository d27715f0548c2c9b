"""Ramp's JSON answers read strictly, and typed without ever quoting what they hold.

JSON has no `NaN`, `Infinity` or `-Infinity`, yet Python's `json` module and pydantic's parser
both take them, and both read a number too large for a float (`1e400`) as infinity. An object
built from one could not be written back as JSON (a state entry, a plan file), so rampctl
refuses the whole answer where it arrives. So too an answer nested too deeply to read, one
that is not JSON, and one that does not fit the model rampctl reads it into.

Every refusal names the request (method, path, status, `x-trace-id`) and, for a model that
does not fit, the field paths and what was wrong, never a value from the body: an answer may
hold a tax id or a bank number. A read so answered fails (`RampError`); a write so answered
(2xx) was taken by Ramp, but what it made cannot be read back, so its outcome is uncertain
(`OutcomeUncertainError`: the next run looks the object up by key).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from rampctl.errors import OutcomeUncertainError, RampError

NON_FINITE = "Ramp's answer holds NaN or Infinity, which are not JSON numbers"
OVERFLOW = "Ramp's answer holds a number too large for a float"
TOO_DEEP = "Ramp's answer is nested too deeply to read"
NOT_JSON = "Ramp answered with a body that is not JSON"
READS = frozenset({"GET", "HEAD"})
M = TypeVar("M", bound=BaseModel)

#: The screen for numbers that may overflow a float (beyond about 1.8e308): a body's bytes
#: mapped to digits as `0`, `e`/`E` as `e`, `+` as itself, what may end a JSON number
#: (whitespace, `,`, `}`, `]`) as `t` and all else as `x`. Such a number shows there as an
#: exponent of three digits or more that ends the number (`e000t`, `e+000t`, or the end of
#: the body), or as an integer part of 210 digits or more (with an exponent of at most two
#: digits, fewer cannot reach 1e309). An exponent must end the number: ids such as Ramp's
#: UUIDs hold `2e375` inside a string, followed by more of the string, and screening on the
#: exponent alone sent almost every page of a large list the slow way. (A regular
#: expression over the raw bytes cost ten times as much per page.)
_NUMBER_SHAPES = bytes(
    b"0"[0]
    if c in b"0123456789"
    else b"e"[0]
    if c in b"eE"
    else c
    if c == b"+"[0]
    else b"t"[0]
    if c in b" \t\r\n,}]"
    else b"x"[0]
    for c in range(256)
)
_LONG_INTEGER = b"0" * 210
_EXPONENT_ENDS = b"000t"  # no run of three digits ends a number: no exponent can overflow
_LARGE_EXPONENT = re.compile(rb"e\+?000+(?:t|\Z)")


class _NonFinite(Exception):
    """Raised inside the parser at the first `NaN`, `Infinity` or `-Infinity`."""


class _Overflow(Exception):
    """Raised inside the parser at the first number that overflows a float."""


def _refuse(constant: str) -> float:
    raise _NonFinite


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise _Overflow
    return value


def may_hold_non_finite(content: bytes) -> bool:
    """Whether `content` may hold `NaN`, `Infinity` or a number that overflows a float (False
    is certain: a cheap screen; True may also be a word or digits inside a string, which only
    `read_json` tells apart)."""
    if b"NaN" in content or b"Infinity" in content:
        return True
    shapes = content.translate(_NUMBER_SHAPES)
    if _LONG_INTEGER in shapes:
        return True
    if _EXPONENT_ENDS not in shapes and not shapes.endswith(b"000"):
        return False  # (one cheap search; a page of sums of money goes on to the next)
    return _LARGE_EXPONENT.search(shapes) is not None


def read_json(response: httpx.Response, method: str) -> Any:
    """The JSON body of `response` to a `method` request (as `response.json()` reads it).

    Raises `RampError` (a read) or `OutcomeUncertainError` (a write) when the body is not
    JSON, is nested too deeply, or holds `NaN`, `Infinity`, `-Infinity` or a number that
    overflows a float (the word or digits inside a string are fine).
    """
    reason = NOT_JSON
    try:
        return json.loads(response.content, parse_constant=_refuse, parse_float=_finite_float)
    except _NonFinite:
        reason = NON_FINITE
    except _Overflow:
        reason = OVERFLOW
    except RecursionError:
        reason = TOO_DEEP
    except ValueError:  # not JSON, not UTF-8, or an integer of too many digits
        pass
    raise refused(response, method, reason)


def validated(
    model: type[M], data: Any, response: httpx.Response, method: str, *, at: str = ""
) -> M:
    """`data` (read from `response`, at the path `at` in it, e.g. `data.3`) as a `model`;
    `refused` naming the fields that do not fit (never their values) when it is not one."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        wrong = fields_wrong(exc, at)
        reason = f"Ramp's answer does not fit rampctl's {model.__name__} ({wrong})"
    except RecursionError:
        reason = TOO_DEEP
    raise refused(response, method, reason)  # outside the except: no pydantic error chained


def fields_wrong(exc: ValidationError, at: str = "") -> str:
    """The field paths of `exc` (under `at`) and what is wrong with each, never the values."""
    problems = []
    for error in exc.errors(include_url=False, include_context=False, include_input=False):
        where = ".".join(str(part) for part in ([at] if at else []) + list(error["loc"]))
        where = where or "the answer"
        problems.append(f"{where}: {error['msg']}")
    shown = "; ".join(problems[:5])
    return shown + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")


def refused(response: httpx.Response, method: str, reason: str) -> RampError:
    """The error for an answer rampctl cannot read (`reason` names what, never a value):
    `RampError` to a read, `OutcomeUncertainError` to a write Ramp took (2xx)."""
    where: dict[str, Any] = {
        "method": method,
        "path": response.url.path,
        "status": response.status_code,
        "trace_id": response.headers.get("x-trace-id"),
    }
    if method.upper() in READS or not response.is_success:
        return RampError(f"{reason}; rampctl refuses it", **where)
    return OutcomeUncertainError(
        f"{reason}: Ramp took the request, but rampctl cannot read back what it made "
        "(the next run looks the object up by its key before trying again)",
        **where,
    )
