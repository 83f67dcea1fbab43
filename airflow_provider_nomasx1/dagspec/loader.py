"""Read and validate job spec files; turn pydantic and YAML errors into one-line reasons.

Every error names the file, the key and the reason (``jobs/x.yaml: steps[0].callable: ...``), so
a broken spec is found from the DAG import error alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from airflow_provider_nomasx1.dagspec.model import JobSpec

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
        reason = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            reason = "unknown key (check the spelling; see docs/jobs.md for the valid keys)"
        elif err["type"] == "missing":
            reason = "required key is missing"
        problems.append(SpecProblem(path, _key_path(loc), reason))
    return problems


def read_spec(path: Path) -> JobSpec:
    """Parse and validate one spec file, raising :class:`SpecFileError` with every problem."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = f"invalid YAML: {getattr(exc, 'problem', None) or exc}"
        raise SpecFileError([SpecProblem(path, where, reason)]) from None
    except OSError as exc:
        raise SpecFileError([SpecProblem(path, "", f"cannot read file: {exc.strerror}")]) from None
    if not isinstance(data, dict):
        raise SpecFileError([SpecProblem(path, "", "the file must hold a mapping (dag_id: ..., steps: ...)")])
    try:
        spec = JobSpec.model_validate(data)
    except ValidationError as exc:
        raise SpecFileError(problems_from_validation(path, exc)) from None
    if spec.dag_id != path.stem:
        raise SpecFileError([SpecProblem(path, "dag_id", f"must equal the file name {path.stem!r}")])
    return spec


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
