"""The direct client's endpoint from ``<SERVICE>_BASE_URL`` / ``<SERVICE>_API_KEY``: a value that would break or
inject into the HTTP request line or a header is one line naming the variable, never showing the value."""

from __future__ import annotations

import pytest

from ksafe.clients.openai_direct import endpoint
from ksafe.errors import KsafeError

MODEL = "openai-api/local-vllm/guard-1"


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("LOCAL_VLLM_API_KEY", "sk-abc\r\nX-Injected: 1", "line break"),
        ("LOCAL_VLLM_API_KEY", "sk-ключ", "non-ASCII"),
        ("LOCAL_VLLM_API_KEY", "sk-a b", "space"),
        ("LOCAL_VLLM_BASE_URL", "http://127.0.0.1:8000/v1 HTTP/1.1\r\nHost: x", "line break"),
        ("LOCAL_VLLM_BASE_URL", "127.0.0.1:8000/v1", "http:// or https://"),
    ],
)
def test_a_value_that_would_break_the_request_is_refused_without_showing_it(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, said: str
) -> None:
    monkeypatch.setenv("LOCAL_VLLM_BASE_URL", "http://127.0.0.1:8000/v1")
    monkeypatch.setenv("LOCAL_VLLM_API_KEY", "sk-fine")
    monkeypatch.setenv(variable, value)
    with pytest.raises(KsafeError) as raised:
        endpoint(MODEL)
    message = str(raised.value)
    assert variable in message and said in message and "\n" not in message
    assert value.strip() not in message and "sk-" not in message.replace(MODEL, "")


def test_a_trailing_newline_from_a_key_file_is_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOCAL_VLLM_BASE_URL", " http://127.0.0.1:8000/v1/\n")
    monkeypatch.setenv("LOCAL_VLLM_API_KEY", "sk-fine\n")
    assert endpoint(MODEL) == ("http://127.0.0.1:8000/v1/chat/completions", "sk-fine", "guard-1")
