"""Render `*.yaml.j2` manifests with Jinja2: sandboxed, strict, confined to the manifests root.

Every literal piece of template text is tagged with its file and line before rendering, so
a problem in the rendered YAML is reported at the template line that produced it.
"""

from __future__ import annotations

import re
import signal
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import Any

import jinja2
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream
from jinja2.sandbox import ImmutableSandboxedEnvironment

from rampctl.errors import Problem
from rampctl.manifest.position import Position
from rampctl.manifest.yamlparse import MAX_FILE_BYTES, ParseFailure, RawDocument, decode

_MARK = re.compile("\ue000(\\d+):(\\d+)\ue001")
_MAX_REPEAT = 100_000
#: Loop iterations (and calls) one render may run, and how long it may take.
MAX_ITERATIONS = 1_000_000
MAX_RENDER_S = 10.0
#: String methods and filters whose width argument sizes their result.
_WIDTH_METHODS = frozenset({"ljust", "rjust", "center", "zfill", "expandtabs"})
_FORMAT_WIDTH = re.compile(r"[%{:][^a-zA-Z%{}]*?(\d{7,})")


class TemplateLimit(jinja2.TemplateError):
    """A template passed one of the render limits (iterations, output size, time)."""


class _Budget:
    """The iterations and time one render may still use."""

    def __init__(self) -> None:
        self.deadline = time.monotonic() + MAX_RENDER_S
        self.steps = 0

    def tick(self) -> None:
        """Count one loop iteration or call; raise TemplateLimit past a limit."""
        self.steps += 1
        if self.steps > MAX_ITERATIONS:
            raise TemplateLimit(f"the template ran more than {MAX_ITERATIONS:,} loop iterations")
        if self.steps % 1024 == 0:
            self.check_time()

    def check_time(self) -> None:
        """Raise TemplateLimit once the render has taken too long."""
        if time.monotonic() > self.deadline:
            raise TemplateLimit(f"the template took longer than {MAX_RENDER_S:.0f} s to render")


def _check_width(width: Any, what: str) -> None:
    if isinstance(width, int) and width > MAX_FILE_BYTES:
        raise TemplateLimit(
            f"{what} of width {width:,} would make the output larger than {MAX_FILE_BYTES} bytes"
        )


def _check_format(text: Any, what: str) -> None:
    if isinstance(text, str):
        for digits in _FORMAT_WIDTH.findall(text):
            _check_width(int(digits), what)


class IncludeOutsideRoot(jinja2.TemplateError):
    """A template tried to include a file outside the manifests root."""


class _LineMarks(Extension):
    """Tags each line of literal template text with `(file id, line)`."""

    def __init__(self, environment: jinja2.Environment) -> None:
        super().__init__(environment)
        self.files: list[str] = []

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        name = stream.filename or stream.name or "?"
        if name not in self.files:
            self.files.append(name)
        file_id = self.files.index(name)
        for token in stream:
            if token.type == "data":
                yield Token(token.lineno, "data", _tag(token.value, token.lineno, file_id))
            else:
                yield token


def _tag(text: str, line: int, file_id: int) -> str:
    pieces = text.split("\n")
    return "\n".join(
        f"\ue000{file_id}:{line + i}\ue001{piece}" if piece else piece
        for i, piece in enumerate(pieces)
    )


class _RootLoader(jinja2.BaseLoader):
    """Loads templates by root-relative name, refusing `..`, absolute paths and symlinks out."""

    def __init__(self, root: Path, display: Callable[[str], str]) -> None:
        self.root = root
        self.real_root = root.resolve()
        self.display = display
        self.paths: dict[str, Path] = {}
        """Display filename -> file, for every template loaded."""

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        parts = template.replace("\\", "/").split("/")
        if template.startswith("/") or ".." in parts:
            raise IncludeOutsideRoot(f"'{template}' is outside the manifests root")
        path = self.root.joinpath(*parts)
        if not path.resolve().is_relative_to(self.real_root):
            raise IncludeOutsideRoot(f"'{template}' leads outside the manifests root")
        if not path.is_file():
            raise jinja2.TemplateNotFound(template)
        filename = self.display(template)
        text = decode(path.read_bytes(), filename)
        self.paths[filename] = path
        return text, filename, lambda: True


class _Environment(ImmutableSandboxedEnvironment):
    """The sandbox, also bounding `*` and `**` so a template cannot exhaust memory."""

    intercepted_binops = frozenset({"*", "**", "%"})
    budget = _Budget()

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        """Every call a template makes: counted, and string widths bounded."""
        __self.budget.tick()
        name = getattr(__obj, "__name__", "")
        on_str = isinstance(getattr(__obj, "__self__", None), str)
        if on_str and name in _WIDTH_METHODS and args:
            _check_width(args[0], f"'{name}'")
        return super().call(__context, __obj, *args, **kwargs)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """`str.format` and `format_map`, refused when a field width passes the size bound."""
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        _check_format(value.__self__, "a format")
        return wrapped

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        self.budget.tick()
        if operator == "%":
            _check_format(left, "a % format")
        if operator == "**" and isinstance(right, int) and abs(right) > 64:
            raise jinja2.exceptions.SecurityError("exponent too large")
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                sized = isinstance(seq, str | list | tuple) and isinstance(times, int)
                if sized and len(seq) * times > _MAX_REPEAT:
                    raise jinja2.exceptions.SecurityError("repetition too large")
        return super().call_binop(context, operator, left, right)


@dataclass(frozen=True, kw_only=True)
class Rendered:
    """A rendered template: its YAML text and where each output line came from."""

    text: str
    origins: list[Position]

    def remap(self, position: Position) -> Position:
        """The template position of a position in the rendered text."""
        if not self.origins:
            return position
        index = min(max(position.line, 1), len(self.origins)) - 1
        origin = self.origins[index]
        return Position(origin.file, origin.line, position.col)

    def remap_problem(self, problem: Problem) -> Problem:
        """The problem, moved to the template line that produced it."""
        where = self.remap(Position(problem.file, problem.line, problem.col))
        return replace(problem, file=where.file, line=where.line, col=where.col)

    def remap_document(self, raw: RawDocument) -> RawDocument:
        """The document with every position moved to the template."""
        return RawDocument(
            value=raw.value,
            start=self.remap(raw.start),
            keys={k: self.remap(v) for k, v in raw.keys.items()},
            values={k: self.remap(v) for k, v in raw.values.items()},
        )


class TemplateRenderer:
    """Renders templates under one manifests root with one set of variables."""

    def __init__(self, root: Path, display: Callable[[str], str]) -> None:
        self.loader = _RootLoader(root, display)
        self.env = _Environment(
            loader=self.loader,
            undefined=jinja2.StrictUndefined,
            extensions=[_LineMarks],
            keep_trailing_newline=True,
            autoescape=False,
        )
        self.env.globals["range"] = self._range
        for name in ("center", "indent", "truncate", "wordwrap", "format"):
            self.env.filters[name] = _bounded_filter(name, self.env.filters[name])
        self.display = display
        marks = self.env.extensions[_LineMarks.identifier]
        assert isinstance(marks, _LineMarks)
        self.marks = marks

    def render(self, name: str, variables: Mapping[str, Any]) -> Rendered:
        """Render the root-relative template `name`; raise ParseFailure on any error."""
        budget = self.env.budget = _Budget()
        try:
            template = self.env.get_template(name)
            with _alarm(MAX_RENDER_S):
                text = _bounded(template.generate(dict(variables)), budget)
        except jinja2.TemplateSyntaxError as exc:
            where = Position(exc.filename or self.display(name), exc.lineno, 1)
            raise ParseFailure([_problem(where, f"template syntax error: {exc.message}")]) from None
        except ParseFailure:
            raise
        except Exception as exc:  # any runtime error of the template
            raise ParseFailure([self._runtime_problem(name, exc)]) from None
        return self._unmark(text)

    def _runtime_problem(self, name: str, exc: Exception) -> Problem:
        where = _template_frame(exc.__traceback__, self.loader.paths)
        where = where or Position(self.display(name), 1, 1)
        if isinstance(exc, jinja2.UndefinedError):
            message = f"undefined variable: {exc.message}"
            where = self._column_of(where, exc.message or "")
        elif isinstance(exc, IncludeOutsideRoot):
            message = f"include {exc.message}"
        elif isinstance(exc, jinja2.TemplateNotFound):
            message = f"template '{exc.name}' not found under the manifests root"
        elif isinstance(exc, _TooLarge):
            message = f"rendered template is larger than {MAX_FILE_BYTES} bytes"
        elif isinstance(exc, TemplateLimit):
            message = f"template limit: {exc.message}"
        else:
            message = f"template error: {type(exc).__name__}: {exc}"
        return _problem(where, message)

    def _range(self, *args: int) -> Iterator[int]:
        """`range` for templates: at most 100,000 items, each iteration counted."""
        items = range(*args)
        if len(items) > _MAX_REPEAT:
            raise TemplateLimit(f"range of {len(items):,} items (at most {_MAX_REPEAT:,})")
        for item in items:
            self.env.budget.tick()
            yield item

    def _column_of(self, where: Position, message: str) -> Position:
        """Point at the undefined name on its line, when it can be found."""
        match = re.match(r"'([^']+)' is undefined", message)
        if not match:
            return where
        path = self.loader.paths.get(where.file)
        lines = path.read_text("utf-8", "replace").splitlines() if path else []
        if 0 < where.line <= len(lines):
            col = lines[where.line - 1].find(match.group(1))
            if col >= 0:
                return Position(where.file, where.line, col + 1)
        return where

    def _unmark(self, text: str) -> Rendered:
        origins: list[Position] = []
        current = Position("", 1, 1)
        out_lines = []
        for line in text.split("\n"):
            marks = _MARK.findall(line)
            if marks:
                current = Position(self.marks.files[int(marks[0][0])], int(marks[0][1]), 1)
            origins.append(current)
            if marks:
                last = marks[-1]
                current = Position(self.marks.files[int(last[0])], int(last[1]), 1)
            out_lines.append(_MARK.sub("", line))
        return Rendered(text="\n".join(out_lines), origins=origins)


class _TooLarge(Exception):
    """The rendered output passed the size bound."""


def _bounded(chunks: Iterator[str], budget: _Budget) -> str:
    parts: list[str] = []
    size = 0
    for chunk in chunks:
        budget.check_time()
        size += len(chunk)
        if size > MAX_FILE_BYTES * 2:  # markers included; checked exactly after unmarking
            raise _TooLarge
        parts.append(chunk)
    return "".join(parts)


def _bounded_filter(name: str, inner: Callable[..., Any]) -> Callable[..., Any]:
    """A filter whose width or format argument may not make output past the size bound."""

    def checked(*args: Any, **kwargs: Any) -> Any:
        if name == "format":
            _check_format(args[0] if args else None, "the format filter")
        else:
            for value in [*args[1:], *kwargs.values()]:
                _check_width(value, f"the {name} filter")
        return inner(*args, **kwargs)

    return checked


@contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    """Interrupt a render still running after `seconds` (main thread on Unix, when no one
    else uses the alarm; otherwise the iteration budget and the checks between output chunks
    bound it)."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable or signal.getitimer(signal.ITIMER_REAL)[0] > 0:  # the alarm is taken
        yield
        return

    def expired(signum: int, frame: Any) -> None:
        raise TemplateLimit(f"the template took longer than {seconds:.0f} s to render")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _template_frame(tb: TracebackType | None, filenames: Mapping[str, Path]) -> Position | None:
    """The innermost traceback frame that runs template code, as a template position."""
    found = None
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name in filenames:
            found = Position(name, tb.tb_lineno, 1)
        tb = tb.tb_next
    return found


def _problem(where: Position, message: str) -> Problem:
    return Problem(file=where.file, line=where.line, col=where.col, message=message)
