"""Manifest files for a draft: where each document goes, its canonical text, and safe writes.

The text is exactly what `rampctl fmt` produces: each document is written by the one emitter
(`rampctl.manifest.emit`, ruamel.yaml with the quoting rule `fmt` uses), with the
`yaml-language-server` schema modeline the bundled manifests carry at the top of every
document (the server reads it per document). Documents added to an existing file go through
`rampctl.manifest.fmt.format_text` with the file's own, so the whole file is canonical.
Files are replaced atomically; a failed import puts back what it changed (`undo`).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rampctl.errors import ConfigError, ManifestError
from rampctl.importer.draft import (
    ACCOUNTING_KIND,
    BILL_KIND,
    USER_KIND,
    VENDOR_KIND,
    Draft,
    DraftDocument,
    Spec,
)
from rampctl.manifest.emit import document_text, documents_text
from rampctl.manifest.fmt import format_text
from rampctl.manifest.schema import json_schema_text
from rampctl.manifest.specs import API_VERSION
from rampctl.manifest.yamlparse import MAX_FILE_BYTES

SCHEMA_FILE = "rampctl.schema.json"
_KIND_FILES = {
    ACCOUNTING_KIND: "accounting-vendors",
    VENDOR_KIND: "vendors",
    BILL_KIND: "bills",
    USER_KIND: "users",
}


#: Largest file import writes into (new files; three quarters of the loader's per-file limit,
#: which stays in place against hostile input): larger sets go into numbered files.
MAX_WRITTEN_BYTES = MAX_FILE_BYTES * 3 // 4


@dataclass(frozen=True, kw_only=True)
class OutputFile:
    """One manifest file import writes and the documents that go in it (`texts`: their
    canonical text when already rendered to size the file)."""

    path: Path
    documents: list[DraftDocument]
    texts: list[str] | None = None

    def exists(self) -> bool:
        """Whether the file is already there (import needs --force to write into it)."""
        return self.path.exists()


def layout(draft: Draft, out: Path, *, split: bool) -> list[OutputFile]:
    """One file per kind (`vendors.yaml`), or with `split` one per object (`vendors/<name>`)."""
    files = []
    for kind, documents in (
        (ACCOUNTING_KIND, draft.accounting_vendors),
        (VENDOR_KIND, draft.vendors),
        (BILL_KIND, draft.bills),
        (USER_KIND, draft.users),
    ):
        stem = _KIND_FILES[kind]
        if split:
            files += [
                OutputFile(path=out / stem / f"{d.name}.yaml", documents=[d]) for d in documents
            ]
        elif documents:
            files += _sized(out / f"{stem}.yaml", documents)
    return files


def _sized(path: Path, documents: list[DraftDocument]) -> list[OutputFile]:
    """One file for `documents`, or (when larger than MAX_WRITTEN_BYTES) numbered files
    (`vendors-1.yaml`, `vendors-2.yaml`, ...) each small enough for the loader."""
    if path.exists():
        return [OutputFile(path=path, documents=documents)]  # --force: added to that file
    texts = [document_text(_document(d)) for d in documents]
    modeline = _modeline(path.parent, path.parent)
    chunks: list[list[int]] = [[]]
    size = _HEADER_ALLOWANCE
    for i, text in enumerate(texts):
        cost = len(text.encode("utf-8")) + len("---\n") + len(modeline)
        if chunks[-1] and size + cost > MAX_WRITTEN_BYTES:
            chunks.append([])
            size = _HEADER_ALLOWANCE
        chunks[-1].append(i)
        size += cost
    if len(chunks) == 1:
        return [OutputFile(path=path, documents=documents, texts=texts)]
    width = len(str(len(chunks)))
    return [
        OutputFile(
            path=path.with_name(f"{path.stem}-{n:0{width}d}{path.suffix}"),
            documents=[documents[i] for i in chunk],
            texts=[texts[i] for i in chunk],
        )
        for n, chunk in enumerate(chunks, start=1)
    ]


_HEADER_ALLOWANCE = 512


def render(file: OutputFile, out: Path) -> str:
    """The canonical text of `file`; into an existing file, its documents are kept first."""
    if file.texts is not None and not file.exists():
        return _per_document(_header(file, out), file.texts)
    documents = [_document(d) for d in file.documents]
    if file.exists():
        kept = file.path.read_text(encoding="utf-8").rstrip("\n")
        if kept.strip():
            return _formatted(f"{kept}\n---\n{documents_text(documents)}", file.path)
    return _per_document(_header(file, out), [document_text(d) for d in documents])


def _per_document(modeline: str, texts: list[str]) -> str:
    """The documents, each opened by the modeline: yaml-language-server reads it per document."""
    return modeline + ("---\n" + modeline).join(texts)


def _formatted(text: str, path: Path) -> str:
    result = format_text(text, path.as_posix())
    if result.problems:
        raise ManifestError(result.problems)
    return result.text


def _header(file: OutputFile, out: Path) -> str:
    return _modeline(out, file.path.parent)


def _modeline(out: Path, folder: Path) -> str:
    """The schema modeline for a file in `folder`: the schema import writes into `out`."""
    schema = os.path.relpath(out / SCHEMA_FILE, folder)
    return f"# yaml-language-server: $schema={Path(schema).as_posix()}\n"


def _document(doc: DraftDocument) -> Spec:
    return {
        "apiVersion": API_VERSION,
        "kind": doc.kind,
        "metadata": {"name": doc.name},
        "spec": doc.spec,
    }


@dataclass(frozen=True, kw_only=True)
class Written:
    """A file import wrote, and what it held before (None: it did not exist)."""

    path: Path
    before: str | None


def write_files(texts: dict[Path, str]) -> list[Written]:
    """Write each file atomically (creating folders); on failure undo the ones written."""
    written: list[Written] = []
    try:
        for path, text in texts.items():
            before = path.read_text(encoding="utf-8") if path.exists() else None
            path.parent.mkdir(parents=True, exist_ok=True)
            replace_text(path, text)
            written.append(Written(path=path, before=before))
    except OSError as exc:
        undo(written)
        raise ConfigError(f"cannot write {exc.filename}: {exc.strerror}") from None
    return written


def undo(written: list[Written]) -> None:
    """Put back what `write_files` changed, newest first."""
    for item in reversed(written):
        if item.before is None:
            item.path.unlink(missing_ok=True)
        else:
            replace_text(item.path, item.before)


def replace_text(path: Path, text: str) -> None:
    """Replace `path` with `text` atomically (mode 0644 for a new file)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def schema_text() -> str:
    """The JSON Schema the header points editors at (written when the folder has none)."""
    return json_schema_text()
