"""Read and validate job spec files; turn pydantic and YAML errors into one-line reasons.

Every error names the file, the key and the reason (``jobs/x.yaml: steps[0].callable: ...``), so
a broken spec is found from the DAG import error alone. A key written twice in one mapping is an
error too (YAML would silently keep the last value: ``schedule: null`` then a cron schedules the
job), found on the node tree that libyaml's C parser builds, before the values are constructed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from airflow_provider_nomasx1.collectors.sync_spec import error_reason
from airflow_provider_nomasx1.dagspec.model import JobSpec
from airflow_provider_nomasx1.errors import ConfigurationError

#: libyaml's C parser when PyYAML was built with it (parsing is most of the bundle's parse time)
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class SpecProblem:
    """Why one spec file could not become a DAG."""

    path: Path
    key: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.key}: " if self.key else ""
        return f"{self.path}: {where}{self.reason}"

    def relative_to(self, root: Path) -> SpecProblem:
        """The same problem with the path shown relative to the bundle root (``jobs/x.yaml``)."""
        try:
            return SpecProblem(self.path.relative_to(root), self.key, self.reason)
        except ValueError:
            return self


class SpecFileError(Exception):
    """A spec file that does not validate; carries every problem found in it."""

    def __init__(self, problems: list[SpecProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _key_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def problems_from_validation(path: Path, exc: ValidationError) -> list[SpecProblem]:
    problems = []
    for err in exc.errors():
        # pydantic puts tagged-union / literal details in loc; keep only the user's keys
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p))
        reason = error_reason(err)
        if err["type"] == "extra_forbidden":
            reason = "unknown key (check the spelling; see docs/jobs.md for the valid keys)"
        elif err["type"] == "missing":
            reason = "required key is missing"
        problems.append(SpecProblem(path, _key_path(loc), reason))
    return problems


_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"


def _duplicate_keys(loader: Any, root: yaml.Node) -> Iterator[tuple[str, int, int]]:
    """(key path, line, line of the first occurrence) of every key repeated in one mapping."""
    stack: list[tuple[yaml.Node, str]] = [(root, "")]
    visited: set[int] = set()
    scalar = yaml.ScalarNode
    while stack:
        node, where = stack.pop()
        if id(node) in visited:  # an alias: its node was checked where the anchor is
            continue
        visited.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend((item, f"{where}[{i}]") for i, item in enumerate(node.value) if not isinstance(item, scalar))
            continue
        if not isinstance(node, yaml.MappingNode):
            continue
        first: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, scalar):
                continue
            path = f"{where}.{key_node.value}" if where else str(key_node.value)
            if not isinstance(value_node, scalar):
                stack.append((value_node, path))
            if key_node.tag == _MERGE_TAG:
                continue
            key = key_node.value if key_node.tag == _STR_TAG else _scalar_key(loader, key_node)
            if key in first:
                yield path, key_node.start_mark.line + 1, first[key]
            else:
                first[key] = key_node.start_mark.line + 1


def _scalar_key(loader: Any, node: yaml.ScalarNode) -> Any:
    """A non-string key as the constructed mapping would hold it (``1`` and ``0x1`` are one key)."""
    value = loader.construct_object(node)
    try:
        hash(value)
    except TypeError:
        return (node.tag, node.value)
    return value


def load_yaml(text: str, path: Path) -> Any:
    """Parse one YAML document with libyaml, refusing repeated keys; raises :class:`SpecFileError`."""
    loader = SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None
        duplicates = sorted(_duplicate_keys(loader, root), key=lambda d: d[1])
        if duplicates:
            reason = "duplicate key on line {} (first on line {}): YAML would keep only the last value"
            raise SpecFileError([SpecProblem(path, key, reason.format(line, first)) for key, line, first in duplicates])
        return loader.construct_document(root)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = f"invalid YAML: {getattr(exc, 'problem', None) or exc}"
        raise SpecFileError([SpecProblem(path, where, reason)]) from None
    finally:
        loader.dispose()


def read_spec(path: Path) -> JobSpec:
    """Parse and validate one spec file, raising :class:`SpecFileError` with every problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecFileError([SpecProblem(path, "", f"cannot read file: {exc.strerror}")]) from None
    data = load_yaml(text, path)
    if not isinstance(data, dict):
        raise SpecFileError([SpecProblem(path, "", "the file must hold a mapping (dag_id: ..., steps: ...)")])
    try:
        spec = JobSpec.model_validate(data)
    except ValidationError as exc:
        raise SpecFileError(problems_from_validation(path, exc)) from None
    if spec.dag_id != path.stem:
        raise SpecFileError([SpecProblem(path, "dag_id", f"must equal the file name {path.stem!r}")])
    return spec


#: the folder of the spec files inside a bundle folder
JOBS_FOLDER = "jobs"


def find_jobs_dir(folder: Path) -> Path:
    """The jobs folder named by ``folder``: the bundle folder (holding ``jobs/``) or the jobs folder
    itself. Raises :class:`ConfigurationError` when the folder does not exist."""
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise ConfigurationError(f"{folder} {what}: give the bundle folder (e.g. dags) or its jobs folder (dags/jobs)")
    inner = folder / JOBS_FOLDER
    return inner if inner.is_dir() else folder


def spec_files(jobs_dir: Path) -> Iterator[Path]:
    """Spec files of a jobs folder in a stable order (``*.yaml`` and ``*.yml``)."""
    yield from sorted(p for p in jobs_dir.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def read_specs(jobs_dir: Path) -> tuple[list[JobSpec], list[SpecProblem]]:
    """Every valid spec of the folder and the problems of the others (never raises for one file)."""
    specs: list[JobSpec] = []
    problems: list[SpecProblem] = []
    seen: dict[str, Path] = {}
    for path in spec_files(jobs_dir):
        try:
            spec = read_spec(path)
        except SpecFileError as exc:
            problems.extend(exc.problems)
            continue
        if spec.dag_id in seen:
            problems.append(SpecProblem(path, "dag_id", f"{spec.dag_id!r} is already defined by {seen[spec.dag_id]}"))
            continue
        seen[spec.dag_id] = path
        specs.append(spec)
    return specs, problems
