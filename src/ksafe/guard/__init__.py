"""``ksafe guard``: evaluate guardrail models (Llama Guard, Kanana Safeguard, SAFE/UNSAFE logprob guards,
ShieldGemma, OpenAI's moderation endpoint, policy-prompted LLMs) on a benchmark or on a run's answers.

See docs/design/guard.md.
"""
