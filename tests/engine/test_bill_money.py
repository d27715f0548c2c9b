"""A plan file's money section is read strictly: unknown keys, amounts that are not decimal
text and unknown currencies are plan-file errors, never crashes or silently dropped."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from rampctl.engine.bill_money import MoneyBill, MoneyLine, summarise
from rampctl.engine.plan import Plan, checksum
from rampctl.errors import PlanError

ENTRY = MoneyBill(
    address="bill/a",
    action="create",
    section="create",
    name="Acme INV-1",
    invoice_number="INV-1",
    currency="USD",
    total="150.00",
    payment_method="ACH",
    pays_on="2026-01-01",
    new_payment="150.00",
    lines=(MoneyLine(memo="Hosting", amount="150.00"),),
)


def _file(edit: Callable[[dict[str, Any]], None]) -> str:
    data = json.loads(Plan(changes=[], money=summarise([ENTRY])).dumps())
    del data["checksum"]
    edit(data["money"])
    return json.dumps({**data, "checksum": checksum(data)})


def test_the_money_section_reads_back_as_written() -> None:
    assert Plan.loads(_file(lambda money: None)).money == summarise([ENTRY])


@pytest.mark.parametrize(
    ("edit", "where"),
    [
        (lambda m: m.update(extra="x"), "money.extra"),
        (lambda m: m["bills"][0].update(extra="x"), "money.bills.0.extra"),
        (lambda m: m["bills"][0]["lines"][0].update(extra="x"), "money.bills.0.lines.0"),
        (lambda m: m["payments"].update(extra="x"), "money.payments.extra"),
        (lambda m: m["bills"][0].update(total="abc"), "money.bills.0.total"),
        (lambda m: m["bills"][0].update(new_payment="NaN"), "money.bills.0.new_payment"),
        (lambda m: m["bills"][0]["lines"][0].update(amount="1e9"), "money.bills.0.lines.0"),
        (lambda m: m["bills"][0].update(currency="ZZZ"), "money.bills.0.currency"),
        (lambda m: m["create"].update(totals={"USD": "1,50"}), "money.create.totals.USD"),
        (lambda m: m["create"].update(totals={"ZZZ": "1.50"}), "money.create.totals.ZZZ"),
    ],
)
def test_an_edited_money_section_is_not_a_plan_file(
    edit: Callable[[dict[str, Any]], None], where: str
) -> None:
    with pytest.raises(PlanError, match="not a plan file") as refused:
        Plan.loads(_file(edit))
    assert where in str(refused.value)
