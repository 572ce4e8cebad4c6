"""Load a policy file: YAML with positions, schema validation, semantic checks, compile.

Every problem is a `Finding` with `file:line:col: key.path: message`. Malformed YAML is a finding
too, never a traceback.

The same bounded loader reads every policy (API, CLI, files, presets): before anything is built,
one pass over the YAML events (iterative, no recursion) refuses a text above `max_bytes`, nesting
deeper than `MAX_DEPTH` and documents whose aliases would expand to more than `MAX_NODES` nodes
(an "alias bomb": a few hundred bytes that expand to billions of nodes), with `PolicyTooComplex`
naming the line.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    ScalarEvent,
)

from tierdesk.domain.errors import TierdeskError
from tierdesk.domain.findings import Finding as Finding  # re-exported: the loader finds them
from tierdesk.domain.findings import Severity as Severity
from tierdesk.policy.schema import Policy

PRESETS: tuple[str, ...] = ("cs-sop", "full-sop", "simple")
MAX_POLICY_BYTES = 1_000_000  # the default of Settings.policy_max_bytes
MAX_DEPTH = 64  # nested mappings/sequences; the presets need 6
MAX_NODES = 100_000  # nodes after alias expansion; the full-sop preset has about 1,500


class PolicyError(TierdeskError):
    """The policy could not be loaded; `findings` says every problem found."""

    code = "invalid_policy"

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings
        super().__init__("\n".join(f.format() for f in findings))


class PolicyTooComplex(PolicyError):  # noqa: N818 - reads as the answer
    """The text is too large, too deep or expands (aliases) to too many nodes to be read."""

    code = "policy_too_complex"


def _too_complex(message: str, line: int, col: int, source: str) -> PolicyTooComplex:
    return PolicyTooComplex([Finding("error", "", message, line, col, source)])


def _bound(yaml: YAML, text: str, source: str) -> None:
    """Refuse `text` when it nests deeper than MAX_DEPTH or its aliases expand beyond MAX_NODES
    nodes, from the event stream alone (nothing is built; memory stays proportional to the
    text). Malformed YAML raises the parser's own error."""
    sizes: dict[str, int] = {}  # anchor -> expanded node count of the node it names
    stack: list[list[Any]] = []  # open collections: [expanded count so far, anchor]
    total = 0
    for event in yaml.parse(text):
        mark = event.start_mark
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        if isinstance(event, CollectionStartEvent):
            if len(stack) >= MAX_DEPTH:
                raise _too_complex(
                    f"too complex: nested deeper than {MAX_DEPTH} levels", line, col, source
                )
            stack.append([1, event.anchor])
            continue
        if isinstance(event, CollectionEndEvent):
            size, anchor = stack.pop()
        elif isinstance(event, AliasEvent):
            size, anchor = sizes.get(event.anchor, 1), None
        elif isinstance(event, ScalarEvent):
            size, anchor = 1, event.anchor
        else:
            continue
        if anchor is not None:
            sizes[anchor] = size
        if stack:
            stack[-1][0] += size
            grown = stack[-1][0]
        else:
            total += size
            grown = total
        if grown > MAX_NODES:
            raise _too_complex(
                f"too complex: aliases expand to more than {MAX_NODES:,} nodes",
                line,
                col,
                source,
            )


class Positions:
    """Maps key paths of the YAML document to (line, col), 1-based."""

    def __init__(self, root: Any) -> None:
        self._root = root

    def of(self, path: tuple[str | int, ...]) -> tuple[int, int]:
        node: Any = self._root
        best = (1, 1)
        for key in path:
            pos: tuple[int, int] | None = None
            if isinstance(node, CommentedMap) and key in node:
                pos = node.lc.key(key)
                node = node[key]
            elif isinstance(node, CommentedSeq) and isinstance(key, int) and key < len(node):
                pos = node.lc.item(key)
                node = node[key]
            else:
                break
            if pos is not None:
                best = (pos[0] + 1, pos[1] + 1)
        return best


@dataclass(frozen=True)
class LoadedPolicy:
    policy: Policy
    positions: Positions
    source: str  # file name or preset:NAME


def preset_path(name: str) -> Path:
    """The packaged preset file for `name` (cs-sop, full-sop, simple)."""
    if name not in PRESETS:
        raise PolicyError(
            [Finding("error", "", f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}")]
        )
    return Path(str(resources.files("tierdesk.policy") / "presets" / f"{name}.yaml"))


def _to_plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k) if not isinstance(k, str) else k: _to_plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_to_plain(v) for v in node]
    return node


def parse_yaml(text: str, source: str) -> Any:
    """Round-trip YAML parse keeping positions, after `_bound` (PolicyTooComplex); YAML errors
    become findings."""
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    try:
        _bound(yaml, text, source)
        return yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        problem = exc.problem or exc.context or "malformed YAML"
        raise PolicyError(
            [Finding("error", "", f"malformed YAML: {problem}", line, col, source)]
        ) from None
    except YAMLError as exc:
        raise PolicyError([Finding("error", "", f"malformed YAML: {exc}", 1, 1, source)]) from None


def _loc_to_path(loc: tuple[int | str, ...]) -> tuple[str | int, ...]:
    # pydantic adds union/discriminator tags (e.g. 'time_in_tier', 'function-after[...]') in loc
    out: list[str | int] = []
    for part in loc:
        if isinstance(part, str) and ("[" in part or part in _DISCRIMINATORS):
            continue
        out.append(part)
    return tuple(out)


_DISCRIMINATORS = {"time_in_tier", "signal", "refund_over_authority", "repeat_contact"}


def _message(err: Any) -> str:
    msg = str(err["msg"])
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    if err["type"] == "extra_forbidden":
        return "unknown key (not part of the policy schema)"
    if err["type"] == "missing":
        return "required key is missing"
    return msg


def validation_findings(exc: ValidationError, positions: Positions, source: str) -> list[Finding]:
    findings = []
    for err in exc.errors():
        path = _loc_to_path(tuple(err["loc"]))
        line, col = positions.of(path)
        dotted = ".".join(str(p) for p in path)
        findings.append(Finding("error", dotted, _message(err), line, col, source))
    return findings


def load_text(
    text: str, source: str = "<policy>", max_bytes: int = MAX_POLICY_BYTES
) -> LoadedPolicy:
    """Parse and validate policy text. Raises PolicyError listing every structural problem
    (PolicyTooComplex for a text above `max_bytes` bytes, too deep or an alias bomb)."""
    size = len(text.encode())
    if size > max_bytes:
        raise _too_complex(
            f"too complex: the policy is {size:,} bytes, more than {max_bytes:,}",
            1,
            1,
            source,
        )
    root = parse_yaml(text, source)
    positions = Positions(root)
    if not isinstance(root, dict):
        raise PolicyError([Finding("error", "", "a policy file is a YAML mapping", 1, 1, source)])
    try:
        policy = Policy.model_validate(_to_plain(root))
    except ValidationError as exc:
        raise PolicyError(validation_findings(exc, positions, source)) from None
    return LoadedPolicy(policy, positions, source)


def load_file(path: str | Path, max_bytes: int = MAX_POLICY_BYTES) -> LoadedPolicy:
    p = Path(path)
    try:
        if p.stat().st_size > max_bytes:  # never read a huge file into memory
            raise _too_complex(
                f"too complex: the file is more than {max_bytes:,} bytes", 1, 1, str(p)
            )
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(
            [Finding("error", "", f"cannot read policy file: {exc}", 1, 1, str(p))]
        ) from None
    return load_text(text, str(p), max_bytes)


def load_preset(name: str) -> LoadedPolicy:
    path = preset_path(name)
    loaded = load_text(path.read_text(encoding="utf-8"), f"preset:{name}")
    return loaded
