"""What every channel that parses a JSON request body checks the same way: the web API (bot/api.py) and the Slack
gate (bot/slackgate.py).

- Nesting: no field of any endpoint or Slack payload nests deeply, so a body nesting deeper than MAX_DEPTH is refused
  before the parser recurses into it (a 5,000-deep array would otherwise raise RecursionError, or take the stack).
- Unpaired surrogates: `"\\ud800"` is a valid JSON escape but no text: a string holding one fails every later encoder
  (database, log, response), so a parsed body is searched for them.
"""

from __future__ import annotations

MAX_DEPTH = 32


def nesting_ok(text: str | bytes, limit: int = MAX_DEPTH) -> bool:
    """True when no array or object in TEXT (JSON, as text or as its UTF-8 bytes) nests deeper than LIMIT. Linear,
    no recursion; brackets inside strings do not count."""
    # bytes as one character each: no byte of a multi-byte UTF-8 sequence is an ASCII quote, backslash or bracket
    return _within(text.decode("latin-1") if isinstance(text, bytes) else text, limit)


def _within(text: str, limit: int) -> bool:
    depth = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return False
        elif ch in "]}":
            depth -= 1
    return True


def has_lone_surrogate(value: object) -> bool:
    """Whether any string in VALUE (parsed JSON: keys, values, items) holds a surrogate code point. json.loads joins
    a pair's escapes into one character, so what is left is unpaired. Iterative: any depth."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if not item.isascii():
                try:
                    item.encode("utf-8")
                except UnicodeEncodeError:
                    return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False
