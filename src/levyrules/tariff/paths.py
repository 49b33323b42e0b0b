"""Where tariffs are found: the tariff search path (税率表の検索パス).

The search path is, in order: the ``tariff_paths`` given to :func:`load_tariff`,
the folders of ``$LEVYRULES_TARIFFS`` (separated by ``os.pathsep``, ``:`` on
POSIX), and the tariffs shipped inside the package (``levyrules/data/tariffs``,
found with :mod:`importlib.resources`, so that a wheel installed anywhere works).
A tariff id ``<slug>/<FY>`` names ``<slug>/<FY>.yaml`` in the first folder that
has it. Schemas travel the same way (``levyrules/data/schemas``).

A file is named in messages by its place on the search path
(``koriyama/2025.yaml``) or else by its absolute path: never relative to the
current folder, so that an error or a result reads the same wherever it was run.
"""

from __future__ import annotations

import os
import re
from importlib import resources
from pathlib import Path
from typing import Iterable

from ..errors import TariffError

ENV = "LEVYRULES_TARIFFS"
ID = re.compile(r"^([a-z0-9][a-z0-9-]*)/(\d{4})\Z")
NATIONAL = "national"
MAX_NAME = 255          # characters in one folder or file name (most file systems)
MAX_PATH = 4096         # characters in a whole path


def _data(name: str) -> Path:
    # The package is installed as files (a wheel or an editable checkout); in the
    # repository `data/tariffs` and `data/schemas` are links to the top-level folders.
    return Path(str(resources.files("levyrules") / "data" / name))


def shipped_root() -> Path:
    """The tariffs shipped inside the package (and the national parameters)."""
    return _data("tariffs")


def schemas_root() -> Path:
    return _data("schemas")


def search_path(tariff_paths: Iterable[str | os.PathLike] | None = None) -> tuple[Path, ...]:
    """The folders searched for a tariff id, first match wins (see the module doc)."""
    out: list[Path] = [Path(p) for p in (tariff_paths or ())]
    out += [Path(p) for p in os.environ.get(ENV, "").split(os.pathsep) if p]
    out.append(shipped_root())
    seen: set[Path] = set()
    unique = []
    for p in out:
        key = _real(p)
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return tuple(unique)


def _real(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


def check_name(ref: str) -> None:
    """Refuse a name no file system can hold, before asking the file system."""
    if len(ref) > MAX_PATH or any(len(part) > MAX_NAME for part in re.split(r"[/\\]", ref)):
        raise TariffError(f"the tariff name is too long (at most {MAX_NAME} characters per "
                          f"folder or file name, {MAX_PATH} in all)")
    if "\0" in ref:
        raise TariffError("the tariff name contains a NUL character")


def is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False


def find_id(ref: str, search: tuple[Path, ...]) -> Path | None:
    """The file of tariff id `ref` (slug/FY) on the search path, or None."""
    m = ID.match(ref)
    if not m or m.group(1) == NATIONAL:
        return None
    for root in search:
        path = root / m.group(1) / f"{m.group(2)}.yaml"
        if is_file(path):
            return path
    return None


def national_file(fiscal_year: int) -> Path | None:
    """``national/<FY>.yaml`` from $LEVYRULES_TARIFFS or the shipped data."""
    for root in search_path():
        path = root / NATIONAL / f"{fiscal_year}.yaml"
        if is_file(path):
            return path
    return None


def under(path: Path, folder: Path) -> bool:
    """Whether `path` (links followed) lies inside `folder` (links followed)."""
    try:
        _real(path).relative_to(_real(folder))
        return True
    except ValueError:
        return False


def id_for(path: Path, search: tuple[Path, ...]) -> str:
    """`slug/FY` when the file is what that id finds on the search path, else its absolute path."""
    real = _real(path)
    for root in search:
        try:
            rel = real.relative_to(_real(root))
        except ValueError:
            continue
        if len(rel.parts) == 2 and rel.suffix == ".yaml":
            ref = f"{rel.parts[0]}/{rel.stem}"
            found = find_id(ref, search)
            if found is not None and _real(found) == real:
                return ref
    return str(real)


def resolve(ref: str, base_dir: Path | None = None,
            search: tuple[Path, ...] | None = None) -> Path:
    """A tariff id (slug/FY) on the search path, or a file path (relative to `base_dir`)."""
    check_name(ref)
    search = search_path() if search is None else search
    if ID.match(ref):
        found = find_id(ref, search)
        if found is None:
            raise TariffError(f"unknown tariff {ref!r}: no file {ref}.yaml on the tariff "
                              f"search path (`levyrules list` shows every id)")
        return found
    path = Path(ref)
    if base_dir is not None and not path.is_absolute():
        path = base_dir / path
    if not is_file(path):
        raise TariffError(f"unknown tariff {ref!r}: not a shipped id (slug/FY) nor a file")
    return path


def extends_path(ref: str, child: Path, search: tuple[Path, ...]) -> Path:
    """`extends` names an id on the search path or a file under the child's folder or the search path."""
    return confined(ref, child.parent, child.parent, search, "extends", "this file's folder")


def test_tariff_path(ref: str, test_file: Path, search: tuple[Path, ...] | None = None) -> Path:
    """A test file's `tariff:`, confined as `extends` is: an id on the search path, or a
    .yaml file (relative to the test file) under the tariff's folder — the one holding
    `tests` — or on the search path."""
    folder, text = ((test_file.parent.parent, "the folder above `tests`")
                    if test_file.parent.name == "tests" else (test_file.parent, "this file's folder"))
    return confined(ref, test_file.parent, folder, search_path() if search is None else search,
                    "tariff", text)


def confined(ref: str, base_dir: Path, folder: Path, search: tuple[Path, ...], key: str,
             folder_text: str) -> Path:
    """`ref` (the value of `key`) as a tariff id on the search path, or a .yaml file (relative
    to `base_dir`) under `folder` or the search path: a file named by a file reaches no
    further, so a tariff tree shared with others cannot read files outside it."""
    path = resolve(ref, base_dir, search)
    if ID.match(ref):
        return path
    if path.suffix not in (".yaml", ".yml"):
        raise TariffError(f"`{key}` must name a tariff id or a .yaml file, not {ref!r}")
    if not any(under(path, f) for f in (folder,) + search):
        raise TariffError(f"`{key}` may name a tariff id or a file in {folder_text} (or "
                          "below it, or on the tariff search path), not a file elsewhere")
    return path


def tariff_id_for(path: Path, search: tuple[Path, ...] | None = None) -> str:
    """`slug/FY` for the file that id finds on the search path, else the absolute path."""
    return id_for(path, search_path() if search is None else search)


def display(path: Path, search: tuple[Path, ...] | None = None) -> str:
    """How messages name a file: its place on the search path, else its absolute path."""
    real = _real(path)
    for root in search if search is not None else search_path():
        try:
            return real.relative_to(_real(root)).as_posix()
        except ValueError:
            continue
    return str(real)


def listing(search: tuple[Path, ...]) -> list[tuple[str, Path, Path]]:
    """Every tariff id visible on the search path: (id, file, folder it comes from).
    An id found in an earlier folder hides the same id further down."""
    out: dict[str, tuple[str, Path, Path]] = {}
    for root in search:
        if not root.is_dir():
            continue
        for path in sorted(root.glob("*/*.yaml")):
            ref = f"{path.parent.name}/{path.stem}"
            if ID.match(ref) and path.parent.name != NATIONAL and ref not in out:
                out[ref] = (ref, path, root)
    return [out[k] for k in sorted(out)]
