"""The plan as Markdown for pull-request comments and $GITHUB_STEP_SUMMARY.

Summary first, removals first, details collapsed; the whole text stays under a
size cap (GitHub refuses comments over 65,536 characters), with a note when cut.
"""

from __future__ import annotations

from rampctl.engine.bill_money import Money
from rampctl.engine.changes import Action, Change
from rampctl.engine.identity import KEY_MODE, describe
from rampctl.engine.plan import Plan
from rampctl.render.human import bill_line, item_line, money_lines, summary_line
from rampctl.render.values import show
from rampctl.words import count

MAX_CHARS = 65_000
#: Removals first: they are what a reviewer must not miss.
ORDER = (
    Action.DELETE,
    Action.ARCHIVE,
    Action.DEACTIVATE,
    Action.FORGET,
    Action.MANUAL,
    Action.PENDING,
    Action.CREATE,
    Action.UPDATE,
    Action.ADOPT,
)
#: Groups shown expanded: removals.
OPEN = (Action.DELETE, Action.DEACTIVATE, Action.ARCHIVE)
TITLES = {
    Action.DELETE: ":x: Delete",
    Action.ARCHIVE: ":file_cabinet: Archive bill",
    Action.DEACTIVATE: ":no_entry: Deactivate",
    Action.FORGET: ":wastebasket: Stop tracking",
    Action.MANUAL: ":warning: Manual change needed in Ramp",
    Action.PENDING: ":hourglass: Pending approval in Ramp (not sent again)",
    Action.CREATE: ":heavy_plus_sign: Create",
    Action.UPDATE: ":pencil2: Update",
    Action.ADOPT: ":link: Adopt",
}


FULL_PLAN = "`rampctl plan` shows all"


def render(plan: Plan, *, max_chars: int = MAX_CHARS) -> str:
    """The Markdown plan, cut to `max_chars` with a note when too long."""
    return render_fitted(plan, max_chars=max_chars)[0]


def render_fitted(
    plan: Plan, *, max_chars: int = MAX_CHARS, full_plan: str = FULL_PLAN
) -> tuple[str, bool]:
    """The Markdown plan within `max_chars`, and whether it was cut.

    When cut, a note says how many sections are left out and `full_plan` (where to
    read the rest).
    """
    head = _head(plan)
    blocks = [_group(a, [c for c in plan.changes if c.action is a]) for a in ORDER]
    blocks = [b for b in blocks if b]
    if plan.drift:
        blocks.append(_drift(plan))
    return _fit(head, blocks, max_chars, full_plan)


def _head(plan: Plan) -> str:
    lines = ["### rampctl plan", ""]
    lines += _money(plan.money)
    lines += [f"**{summary_line(plan)}**", ""]
    if plan.identity != KEY_MODE:
        lines += [f"> [!NOTE]\n> {describe(plan.identity)}", ""]
    counts = plan.summary().counts
    if counts:
        lines += ["| Action | Count |", "|---|---:|"]
        lines += [f"| {TITLES[a]} | {counts[a.value]} |" for a in ORDER if counts.get(a.value)]
        lines.append("")
    for reason in plan.safety.reasons:
        lines.append(f"> [!CAUTION]\n> Unsafe: {reason}; apply needs `--allow-deletes`.\n")
    for reason in plan.safety.replacements:
        lines.append(f"> [!CAUTION]\n> Unsafe: {reason}; apply needs `--allow-replace`.\n")
    if plan.drift:
        changed = count(len(plan.drift), "object")
        lines.append(f"{changed} changed in Ramp outside rampctl (see below).\n")
    return "\n".join(lines)


def _money(money: Money) -> list[str]:
    """The money summary: totals per section, then each bill with its lines."""
    summary = money_lines(money)
    if not summary:
        return []
    lines = ["#### :moneybag: Money", ""]
    lines += [f"- **{_escape(line)}**" for line in summary]
    lines.append("")
    for bill in money.bills:
        lines.append(f"- `{_escape(bill_line(bill))}`")
        lines += [f"  - {_escape(item_line(line))}" for line in bill.lines]
    lines.append("")
    return lines


def _group(action: Action, changes: list[Change]) -> str:
    if not changes:
        return ""
    lines = [
        f"<details{' open' if action in OPEN else ''}>",
        f"<summary>{TITLES[action]} ({len(changes)})</summary>",
        "",
    ]
    for change in changes:
        pending = " _pending approval_" if action is Action.PENDING else ""
        lines.append(f"- `{change.symbol} {change.address}` {_escape(change.name)}{pending}")
        if change.reason:
            lines.append(f"  - _{_escape(change.reason)}_")
        lines += [
            f"  - `{f.path}`: {_value(f.path, f.before, f.after, action)}" for f in change.fields
        ]
    lines += ["", "</details>", ""]
    return "\n".join(lines)


def _value(path: str, before: object, after: object, action: Action) -> str:
    if action is Action.CREATE:
        return f"`{show(path, after)}`"
    return f"`{show(path, before)}` → `{show(path, after)}`"


def _drift(plan: Plan) -> str:
    lines = ["<details>", f"<summary>Changed outside rampctl ({len(plan.drift)})</summary>", ""]
    for item in plan.drift:
        if item.deleted:
            lines.append(f"- `{item.address}` was deleted in Ramp")
            continue
        lines.append(f"- `{item.address}` {_escape(item.name)}")
        lines += [
            f"  - `{f.path}`: `{show(f.path, f.before)}` → `{show(f.path, f.after)}`"
            for f in item.fields
        ]
    lines += ["", "</details>", ""]
    return "\n".join(lines)


def _fit(head: str, blocks: list[str], max_chars: int, full_plan: str) -> tuple[str, bool]:
    note = "\n_Output truncated: {n} more sections not shown; " + full_plan + "._\n"
    text = head + "\n"
    if len(text) + len(note) + 20 > max_chars:  # the summary alone is too long
        cut = text[: max(0, max_chars - len(note) - 20)].rsplit("\n", 1)[0]
        return cut + "\n" + note.format(n=len(blocks)), True
    for index, block in enumerate(blocks):
        if len(text) + len(block) + len(note) + 20 > max_chars:
            rest = _cut(block, max_chars - len(text) - len(note) - 20)
            return text + rest + note.format(n=len(blocks) - index), True
        text += block + "\n"
    return text, False


def _cut(block: str, room: int) -> str:
    if room <= 0:
        return ""
    cut = block[:room].rsplit("\n- ", 1)[0]
    return cut + "\n\n</details>\n"


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
