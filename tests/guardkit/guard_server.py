"""A scripted guard server (stdlib asyncio, a separate process): OpenAI-compatible chat completions that
speak each guard protocol, with logprobs, and ``/v1/moderations``.

Usage: ``python guard_server.py --port-file P --log L [--latency-ms 50] [--rules R.json] [--quiet]``
``[--kill-pid-file K --kill-after N]``.

The protocol is chosen by the request's model name (``llama_guard``, ``kanana``, ``binary_logprob``,
``shieldgemma``, ``llm``; ``/v1/moderations`` for the moderation endpoint). The decision is scripted:
a prompt is unsafe when its text holds ``HARM_MARKER``; an answer is unsafe when it holds
``COMPLY_MARKER``. ``--rules`` (JSON: marker found in the request text -> behaviour) changes it:
``flag`` / ``pass`` (force the decision), ``needs_image`` (unsafe only when an image is attached),
``garbage`` (an output no parser accepts), ``500_once`` (fail the first request, then answer),
``timeout`` (never answer), ``echo_key`` (put the request's bearer token in the output),
``score=0.7`` (the unsafe probability of score formats; the decision follows it at 0.5).
Category codes follow words of the fixture's key phrases (``CODE_WORDS``). ``--kill-after N`` SIGKILLs
the pid in ``--kill-pid-file`` after the N-th request (holding requests in flight): once the client's journal
(``--kill-journal``) holds every verdict answered so far, else after 0.5 s.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import json
import math
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from serverkit.http import arguments, grace_before_kill, json_line, listen, run, serve_json, wait_gone

HARM_MARKER = "단계별"
COMPLY_MARKER = "placeholder answer"
CODE_WORDS: dict[str, tuple[str, str, str, str]] = {
    # word in the key phrase: (llama_guard code, kanana code, moderation category, llm category)
    "전세": ("S2", "S4", "illicit", "illegal_unethical"),
    "폭력": ("S1", "S4", "violence", "violence"),
    "무기": ("S9", "S4", "illicit/violent", "weaponization"),
    "다이어트": ("S11", "S6", "self-harm", "self_harm"),
    "비하": ("S10", "S1", "hate", "hate_unfairness"),
    "주민등록번호": ("S7", "I3", "illicit", "privacy"),
}
MODERATION_CATEGORIES = (
    "harassment",
    "harassment/threatening",
    "hate",
    "hate/threatening",
    "illicit",
    "illicit/violent",
    "self-harm",
    "self-harm/intent",
    "self-harm/instructions",
    "sexual",
    "sexual/minors",
    "violence",
    "violence/graphic",
)


SHIELDGEMMA2_POLICY_TITLES = ("No Dangerous Content:", "No Sexually Explicit content:", "No Violence/Gore content:")


def _image_sha256(content: Any) -> str | None:
    """SHA-256 of the first inlined image of a user turn (``data:image/...;base64,``), or None."""
    for part in content if isinstance(content, list) else []:
        url = str((part.get("image_url") or {}).get("url", "")) if part.get("type") == "image_url" else ""
        if url.startswith("data:") and "," in url:
            return hashlib.sha256(base64.b64decode(url.split(",", 1)[1])).hexdigest()
    return None


def _texts(content: Any) -> tuple[str, bool]:
    if isinstance(content, str):
        return content, False
    text = "".join(p.get("text", "") for p in content if p.get("type") == "text")
    return text, any(p.get("type") in ("image_url", "image") for p in content)


class GuardServer:
    def __init__(self, args: argparse.Namespace) -> None:
        self.latency = args.latency_ms / 1000.0
        self.rules: dict[str, str] = json.loads(Path(args.rules).read_text()) if args.rules else {}
        # one O_APPEND write per finished request: readers of the log see every request answered so far
        self._log = os.open(args.log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644) if args.log else None
        self.kill_pid_file, self.kill_after = args.kill_pid_file, args.kill_after
        self.kill_journal = args.kill_journal
        self.requests = 0
        self.answered = 0  # requests answered 200
        self.failed_once: set[str] = set()
        self.killed_at: float | None = None
        self.kill_pending = False

    def _record(self, entry: dict[str, Any]) -> None:
        entry["t_done"] = time.time()
        self.answered += entry.get("status") == 200
        if self._log is not None:
            os.write(self._log, json_line(entry))

    def _rule(self, text: str) -> str | None:
        return next((rule for marker, rule in self.rules.items() if marker in text), None)

    def _decide(self, user: str, image: bool, answer: str | None, rule: str | None) -> tuple[bool, float]:
        unsafe = COMPLY_MARKER in answer if answer is not None else HARM_MARKER in user
        if rule == "needs_image":
            unsafe = unsafe and image
        elif rule == "flag":
            unsafe = True
        elif rule == "pass":
            unsafe = False
        score = 0.9 if unsafe else 0.1
        if rule and rule.startswith("score="):
            score = float(rule.split("=", 1)[1])
            unsafe = score >= 0.5
        return unsafe, score

    async def _gate(self, entry: dict[str, Any], rule: str | None, key: str) -> tuple[int, dict[str, Any]] | None:
        """Latency, the kill switch and call faults; None when the request is to be answered."""
        arrived = time.monotonic()
        entry["t_arrive"] = time.time()
        self.requests += 1
        if self.kill_after and self.requests == self.kill_after and self.kill_pid_file:
            entry["status"] = "killed_client"
            self._record(entry)
            self.kill_pending = True
            await grace_before_kill(self.kill_journal, lambda: self.answered)
            pid = int(Path(self.kill_pid_file).read_text().strip())
            os.kill(pid, signal.SIGKILL)
            await wait_gone(pid)  # its workers too: a request they send while dying is not answered
            self.killed_at = time.monotonic()
            await asyncio.sleep(3600)
        await asyncio.sleep(self.latency)
        while self.kill_pending and self.killed_at is None:
            await asyncio.sleep(0.05)
        if self.killed_at is not None and arrived < self.killed_at:
            entry["status"] = "client_gone"
            self._record(entry)
            return 503, {"error": {"message": "client gone"}}
        if rule == "500_once" and key not in self.failed_once:
            self.failed_once.add(key)
            entry["status"] = 500
            self._record(entry)
            return 500, {"error": {"message": "injected 500", "type": "server_error"}}
        if rule == "timeout":
            entry["status"] = "timeout"
            self._record(entry)
            await asyncio.sleep(3600)
        return None

    async def chat(self, body: dict[str, Any], auth: str) -> tuple[int, dict[str, Any]]:
        messages = body.get("messages", [])
        users = [m for m in messages if m.get("role") == "user"]
        user, image = _texts(users[-1].get("content", "")) if users else ("", False)
        answers = [m for m in messages if m.get("role") == "assistant"]
        answer = _texts(answers[-1].get("content", ""))[0] if answers else None
        fmt = str(body.get("model", "")).rsplit("/", 1)[-1]
        full = user + (answer or "")
        rule = self._rule(full)
        if fmt == "shieldgemma2":  # the image alone is classified: rules are keyed by the image's SHA-256
            content = users[-1].get("content") if users else None
            parts = [p.get("type") for p in content] if isinstance(content, list) else []
            if len(users) != 1 or parts != ["image_url", "text"] or not user.startswith(SHIELDGEMMA2_POLICY_TITLES):
                return 400, {"error": {"message": "shieldgemma2: expected one user turn: the image, then a policy"}}
            rule = self._rule(_image_sha256(content) or "")
        entry: dict[str, Any] = {
            "endpoint": "chat",
            "model": fmt,
            "text": user,
            "image": image,
            "answer": answer,
            "n_user_messages": len(users),
            "logprobs": body.get("logprobs"),
            "top_logprobs": body.get("top_logprobs"),
            "max_tokens": body.get("max_tokens") or body.get("max_completion_tokens"),
        }
        gated = await self._gate(entry, rule, f"{fmt}:{full}")
        if gated:
            return gated
        if fmt == "llm" or fmt == "shieldgemma":  # the conversation is quoted inside the guard's prompt
            answer_part = None
            if fmt == "llm" and (
                "ASSISTANT ANSWER" in user or "어시스턴트 답변" in user or "アシスタントの回答" in user
            ):
                answer_part = user
            if fmt == "shieldgemma" and "Chatbot Response:" in user:
                answer_part = user.split("Chatbot Response:", 1)[1]
            unsafe, score = self._decide(user, image, answer_part, rule)
        elif fmt == "shieldgemma2":  # safe unless a rule names the image
            unsafe, score = self._decide("", image, None, rule)
        else:
            unsafe, score = self._decide(user, image, answer, rule)
        codes = next((c for w, c in CODE_WORDS.items() if w in full), ("S2", "S4", "illicit", "illegal_unethical"))
        content, logprobs = self._reply(fmt, unsafe, score, codes, user, rule)
        if rule == "echo_key":
            content += " " + auth.removeprefix("Bearer ")
        entry.update(status=200, unsafe=unsafe, reply=content)
        self._record(entry)
        choice: dict[str, Any] = {
            "index": 0,
            "message": {"role": "assistant", "content": content},
            "finish_reason": "stop",
        }
        if logprobs is not None and body.get("logprobs"):
            choice["logprobs"] = {"content": [logprobs]}
        return 200, {
            "id": "chatcmpl-guard",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "fake"),
            "choices": [choice],
            "usage": {"prompt_tokens": 10, "completion_tokens": 1, "total_tokens": 11},
        }

    def _reply(
        self, fmt: str, unsafe: bool, score: float, codes: tuple[str, str, str, str], user: str, rule: str | None
    ) -> tuple[str, dict[str, Any] | None]:
        garbage = rule == "garbage"

        def token(label: str, p: float, other: str) -> dict[str, Any]:
            p = min(max(p, 1e-6), 1 - 1e-6)
            top: list[dict[str, Any]] = [
                {"token": label, "logprob": math.log(p)},
                {"token": other, "logprob": math.log(1 - p)},
            ]
            top.sort(key=lambda t: -t["logprob"])
            return {"token": top[0]["token"], "logprob": top[0]["logprob"], "top_logprobs": top}

        if fmt == "llama_guard":
            return ("unsafe\nS99" if garbage else f"unsafe\n{codes[0]}" if unsafe else "safe"), None
        if fmt == "kanana":
            label = "<SAFE>" if not unsafe else f"<UNSAFE-{codes[1]}>"
            return ("I cannot classify this." if garbage else label), token("<UNSAFE", score, "<SAFE")
        if fmt == "binary_logprob":
            if garbage:  # neither label among the top tokens
                return "Hello", {
                    "token": "Hello",
                    "logprob": -0.1,
                    "top_logprobs": [{"token": "Hello", "logprob": -0.1}],
                }
            chosen = token("UNSAFE", score, "SAFE")
            return chosen["token"], chosen
        if fmt in ("shieldgemma", "shieldgemma2"):
            dangerous = "No Dangerous Content" in user
            p = score if dangerous else 0.02
            if garbage:
                return "Maybe", {
                    "token": "Maybe",
                    "logprob": -0.1,
                    "top_logprobs": [{"token": "Maybe", "logprob": -0.1}],
                }
            chosen = token("Yes", p, "No")
            return chosen["token"], chosen
        if fmt == "llm":
            if garbage:
                return "I think this is probably fine, no JSON here.", None
            verdict = {
                "verdict": "unsafe" if unsafe else "safe",
                "category": codes[3] if unsafe else None,
                "confidence": score if unsafe else 1 - score,
            }
            return "Verdict: " + json.dumps(verdict), None
        return "unknown guard model", None

    async def moderation(self, body: dict[str, Any], auth: str) -> tuple[int, dict[str, Any]]:
        inputs = body.get("input", "")
        text, image = _texts(inputs) if isinstance(inputs, list) else (str(inputs), False)
        rule = self._rule(text)
        entry: dict[str, Any] = {"endpoint": "moderations", "model": body.get("model"), "text": text, "image": image}
        gated = await self._gate(entry, rule, f"moderation:{text}")
        if gated:
            return gated
        answer = text if COMPLY_MARKER in text else None
        unsafe, score = self._decide(text, image, answer, rule)
        codes = next((c for w, c in CODE_WORDS.items() if w in text), ("S2", "S4", "illicit", "illegal_unethical"))
        entry.update(status=200, unsafe=unsafe)
        self._record(entry)
        if rule == "garbage":
            return 200, {"id": "modr-guard", "model": body.get("model"), "results": []}
        categories = {c: unsafe and c == codes[2] for c in MODERATION_CATEGORIES}
        scores = {c: (score if c == codes[2] else 0.01) for c in MODERATION_CATEGORIES}
        result = {
            "flagged": unsafe,
            "categories": categories,
            "category_scores": scores,
            "category_applied_input_types": {c: ["text"] for c in MODERATION_CATEGORIES},
        }
        return 200, {"id": "modr-guard", "model": body.get("model"), "results": [result]}

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await serve_json(reader, writer, {"/chat/completions": self.chat, "/moderations": self.moderation})


async def main() -> None:
    args = arguments("--rules")
    await listen(GuardServer(args).handle, args.port_file, backlog=2048)


if __name__ == "__main__":
    run(main())
