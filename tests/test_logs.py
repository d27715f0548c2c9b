"""Redaction of secrets in log lines and messages."""

from __future__ import annotations

import logging
from pathlib import Path

from rampctl.logs import MASK, close_logging, redact, register_secret, setup_logging


def test_registered_secrets_and_token_shapes_are_masked() -> None:
    register_secret("s3cr3t-client-value")
    text = redact(
        "secret s3cr3t-client-value token ramp_tok_abcdEFGH1234 "
        "Authorization: Bearer abcdefghijklmnop client_secret=hunter22&x=1"
    )
    assert "s3cr3t-client-value" not in text
    assert "ramp_tok_abcdEFGH1234" not in text
    assert "abcdefghijklmnop" not in text
    assert "hunter22" not in text
    assert text.count(MASK) == 4
    assert "x=1" in text


def test_log_file_never_holds_a_registered_secret(tmp_path: Path) -> None:
    log_file = tmp_path / "debug.log"
    setup_logging(2, log_file)
    register_secret("canary-9f8e7d6c")
    logging.getLogger("rampctl.test").warning("sending %s to Ramp", "canary-9f8e7d6c")
    for handler in logging.getLogger("rampctl").handlers:
        handler.flush()
    content = log_file.read_text()
    assert "sending *** to Ramp" in content
    assert "canary-9f8e7d6c" not in content
    close_logging()


def test_sensitive_field_values_are_masked_in_every_form() -> None:
    text = redact(
        'tax_id \'12-3456789\'; {"tax_id": "12-3456789", "iban":"DE89370400440532013000"} '
        "routing_number=021000021 tax_id\n  Input should be a valid string "
        "[type=string_type, input_value=123456789, input_type=int]"
    )
    for value in ("12-3456789", "DE89370400440532013000", "021000021", "123456789"):
        assert value not in text
    assert redact("tax_id is required") == "tax_id is required"


def test_a_path_ending_in_a_sensitive_word_is_not_a_field() -> None:
    text = "POST /developer/v1/token: Ramp refused the client credentials (HTTP 401)"
    assert redact(text) == text
    assert redact("token: ramp-abc, ?token=xyz") == f"token: {MASK}, ?token={MASK}"
