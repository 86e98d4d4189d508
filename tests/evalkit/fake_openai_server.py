"""A fake OpenAI-compatible chat-completions server (stdlib asyncio), run as a separate process.

Usage: ``python fake_openai_server.py --port-file P --log L [--latency-ms 200] [--faults F.json]
[--kill-pid-file K --kill-after N] [--quiet]``.

Input: HTTP requests on 127.0.0.1. Output: chat completions; one JSON line per finished request in
``--log`` (model, kind, text, whether image and text came in one user turn, status).
Faults (``--faults``, a JSON object mapping a marker found in the user text to a fault):
``429_once`` / ``500_once`` (fail the first request with that status, then answer),
``500_always`` (every request fails with 500), ``no_choices`` (HTTP 200 ``{"choices": []}``),
``bad_body`` (HTTP 200 with a body that is not JSON), ``echo_key`` (HTTP 401 whose message echoes the
request's API key, as OpenAI's "Incorrect API key provided" does; ``echo_key_500``: the same as a 500,
which is retried),
``echo_key_answer`` (HTTP 200 whose answer quotes the request's API key),
``timeout`` (never answer in time), ``content_filter`` (finish reason content_filter),
``empty`` (empty answer), ``comply`` (a non-refusing placeholder answer), ``judge_garbage``
(the judge never returns a parseable verdict for this answer).
Answers are bland placeholders, never harmful content. ``--kill-after N`` sends SIGKILL to the pid
in ``--kill-pid-file`` after the N-th target request arrives, holding every request in flight, once the
client's journal (``--kill-journal``) holds every answer given so far (else after 0.5 s)
(crash test: requests in flight at the crash are never answered; ``status`` ``client_gone``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from serverkit.http import arguments, grace_before_kill, listen, serve_json, wait_gone

REFUSAL = "죄송하지만 그 요청은 도와드릴 수 없습니다."
COMPLY = "네, 이미지의 내용을 설명하겠습니다. (placeholder answer)"
JUDGE_MARKER = "Reply with one JSON object"


class FakeServer:
    def __init__(self, args: argparse.Namespace) -> None:
        self.latency = args.latency_ms / 1000.0
        self.faults: dict[str, str] = json.loads(Path(args.faults).read_text()) if args.faults else {}
        self.log_path = Path(args.log) if args.log else None
        # one handle for the server's life, flushed per line (readers see every finished request)
        self._log = self.log_path.open("a", encoding="utf-8", buffering=1) if self.log_path else None
        self.kill_pid_file = args.kill_pid_file
        self.kill_after = args.kill_after
        self.kill_journal = args.kill_journal
        self.target_requests = 0
        self.answered = 0  # target requests answered 200
        self.failed_once: set[str] = set()
        self.killed_at: float | None = None
        self.kill_pending = False

    def _fault(self, text: str) -> str | None:
        return next((fault for marker, fault in self.faults.items() if marker in text), None)

    def _record(self, entry: dict[str, Any]) -> None:
        self.answered += entry.get("kind") == "target" and entry.get("status") == 200
        if self._log:
            self._log.write(json.dumps(entry, ensure_ascii=False) + "\n")

    async def respond(self, body: dict[str, Any], auth: str) -> tuple[int, dict[str, Any] | bytes]:
        messages = body.get("messages", [])
        users = [m for m in messages if m.get("role") == "user"]
        content = users[-1].get("content", "") if users else ""
        parts = [p.get("type") for p in content] if isinstance(content, list) else ["text"]
        text = (
            "".join(p.get("text", "") for p in content if p.get("type") == "text")
            if isinstance(content, list)
            else str(content)
        )
        image_urls = (
            [p["image_url"]["url"][:40] for p in content if p.get("type") == "image_url"]
            if isinstance(content, list)
            else []
        )
        is_judge = JUDGE_MARKER in text or '{"verdict"' in text  # any rubric language
        arrived = time.monotonic()
        arrived_wall = time.time()
        entry: dict[str, Any] = {
            "model": body.get("model"),
            "kind": "judge" if is_judge else "target",
            "text": text,
            "parts": parts,
            "n_user_messages": len(users),
            "image_url_prefixes": image_urls,
            "authorized": auth.startswith("Bearer ") and len(auth) > 7,
            "options": {k: body[k] for k in ("max_tokens", "temperature", "top_p", "seed") if k in body},
            "time": time.time(),
        }
        fault = self._fault(text)
        # A judge prompt quotes the item text: only judge faults apply to judge requests.
        if (fault == "judge_garbage") != is_judge:
            fault = None
        if not is_judge:
            self.target_requests += 1
            if self.kill_after and self.target_requests == self.kill_after and self.kill_pid_file:
                pid = int(Path(self.kill_pid_file).read_text().strip())
                entry["status"] = "killed_client"
                self._record(entry)
                # Hold every in-flight request, let the client store the answers it already has, then
                # crash it: a crash with requests in flight, free of timing races.
                self.kill_pending = True
                await grace_before_kill(self.kill_journal, lambda: self.answered)
                os.kill(pid, signal.SIGKILL)
                await wait_gone(pid)  # its workers too: a request they send while dying is not answered
                self.killed_at = time.monotonic()
                await asyncio.sleep(3600)
        await asyncio.sleep(self.latency)
        while self.kill_pending and self.killed_at is None:
            await asyncio.sleep(0.05)
        if self.killed_at is not None and arrived < self.killed_at:
            # the client that asked was killed meanwhile: this answer is never received
            entry["status"] = "client_gone"
            self._record(entry)
            return 503, {"error": {"message": "client gone"}}
        key = f"{fault}:{text}"
        if fault in ("429_once", "500_once") and key not in self.failed_once:
            self.failed_once.add(key)
            status = 429 if fault == "429_once" else 500
            entry["status"] = status
            self._record(entry)
            return status, {"error": {"message": f"injected {status}", "type": "server_error"}}
        if fault == "500_always":
            entry["status"] = 500
            self._record(entry)
            return 500, {"error": {"message": "injected 500 (always)", "type": "server_error"}}
        if fault in ("echo_key", "echo_key_500"):
            status = 401 if fault == "echo_key" else 500
            entry["status"] = status
            self._record(entry)
            key = auth.removeprefix("Bearer ")
            message = f"Incorrect API key provided: {key}. You can find your API key at https://example.invalid."
            return status, {"error": {"message": message, "type": "invalid_request_error", "code": "invalid_api_key"}}
        if fault in ("no_choices", "bad_body"):
            entry["status"] = 200
            entry["finish_reason"] = fault
            self._record(entry)
            if fault == "bad_body":
                return 200, b'{"id": "chatcmpl-fake", "choices": [{"index": 0, "mess'
            return 200, {"id": "chatcmpl-fake", "object": "chat.completion", "created": 0, "model": "x", "choices": []}
        if fault == "timeout":
            entry["status"] = "timeout"
            self._record(entry)
            await asyncio.sleep(3600)
        finish = "stop"
        if is_judge:
            answer_fault = fault
            if answer_fault == "judge_garbage":
                answer = "I am not sure what to say."
            else:
                verdict = "refused" if REFUSAL in text else "harmful_compliance"
                answer = json.dumps({"verdict": verdict, "rationale": "fake judge"})
        elif fault == "content_filter":
            answer, finish = "", "content_filter"
        elif fault == "empty":
            answer = ""
        elif fault == "comply":
            answer = COMPLY
        elif fault == "echo_key_answer":
            answer = f"{REFUSAL} (key: {auth.removeprefix('Bearer ')})"
        else:
            answer = REFUSAL
        entry["status"] = 200
        entry["finish_reason"] = finish
        entry["t_arrive"] = arrived_wall
        entry["t_answer"] = time.time()
        self._record(entry)
        return 200, {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "fake"),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": answer}, "finish_reason": finish}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
        }

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await serve_json(reader, writer, {"/chat/completions": self.respond})


async def main() -> None:
    args = arguments("--faults")
    await listen(FakeServer(args).handle, args.port_file, backlog=1024)


if __name__ == "__main__":
    asyncio.run(main())
