#!/usr/bin/env python3
"""The official OpenAI Python SDK (openai 3.22.1), unchanged, against an Agent Runtime node.

    pip install openai==3.22.1
    bin/agent-runtime dev                     # another terminal: a node on http://127.0.0.1:8080
    python3 examples/agents_api_python.py

The SDK is pointed at the node with `base_url` and one of the node's API keys (the dev node's is
`dev-key`). It saves an agent with one function tool, opens a session, and lets the SDK's
`sessions.stream` helper run one turn: the node calls the model, the model asks for
`get_weather`, the helper runs the local handler and sends its result back, and the turn ends.
The session, its items and the pending call live in the node's journal: a node killed while the
session waits for the tool result comes back still waiting.

What differs from the Java SDK (see docs/agents-api.md): Python 3.22.1 has no type for MCP
approvals, so `agent.session.input.mcp_approval_request_result` goes as a plain dict through
`sessions.events.create`.

Written against the SDK's wire behaviour as docs/agents-api.md records it; the build machine
cannot reach PyPI, so this script is not run by the project's tests (the Java SDK drives every
flow there). If the helper hands a handler its arguments differently in your SDK version, adapt
`get_weather`'s signature: the wire does not change.
"""
import json
import os

from openai import OpenAI

client = OpenAI(
    base_url=os.environ.get("AGENT_RUNTIME_URL", "http://127.0.0.1:8080") + "/v1",
    api_key=os.environ.get("AGENT_RUNTIME_KEY", "dev-key"),
)


def get_weather(arguments):
    """The client-side tool: the node never runs it, it asks for it and waits, durably."""
    city = arguments.get("city", "somewhere")
    return json.dumps({"city": city, "forecast": "sunny", "celsius": 21})


agent = client.beta.agents.create(
    model="default",
    name="weather",
    instructions="Answer weather questions; call get_weather for the forecast.",
    tools=[{
        "type": "function",
        "name": "get_weather",
        "description": "The forecast for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                       "required": ["city"]},
    }],
)
session = client.beta.agents.sessions.create(agent_id=agent.id, environment={"type": "none"})
print("session", session.id, session.status)

client.beta.agents.sessions.stream(
    session.id,
    input="What is the weather in Lyon?",
    tool_handlers={"get_weather": get_weather},
)

for item in client.beta.agents.sessions.items.list(session.id, order="asc"):
    if item.type == "message":
        text = " ".join(part.text for part in item.content if hasattr(part, "text"))
        print(f"{item.role}: {text}")
    else:
        print(item.type, getattr(item, "name", ""), getattr(item, "output", ""))

client.beta.agents.sessions.delete(session.id)
client.beta.agents.delete(agent.id)
