#!/usr/bin/env python3
"""Measure how the domain folders of the `Atelier` target depend on each other.

The target lives in `Sources/Atelier/<Folder>/*.swift`; Swift files directly under the
root count as the folder "(root)" and deeper sub-folders count as their first-level
folder. The goal is to plan a split into SwiftPM modules that form a DAG, so the script
reports which folder uses which other folder, the cycles among them and an order in
which they could be built.

What it measures
  * Declarations: the names each file declares at the top level, i.e. on a line that
    starts at column 0: `struct`, `class`, `enum`, `protocol`, `actor`, `typealias`,
    `func`, `let`, `var` (after any `@attributes` and modifiers such as `public`,
    `package`, `final`, `indirect`, `nonisolated`, `private(set)`). Nested declarations
    (indented, e.g. inside `extension Outbox { public struct Entry ... }`) are not
    exported; references to them go through their outer name anyway (`Outbox.Entry`).
    `private`/`fileprivate` top-level declarations are visible in their file only and
    are not exported either.
  * References: every identifier token `[A-Za-z_][A-Za-z0-9_]*` of a file in folder F,
    after comments and string-literal contents are blanked, that equals a name exported
    by another folder G is one reference F -> G. `extension X` in F with X declared in
    G is a reference of kind "extension" (counted once, not twice).
    Interpolations `\\(...)` (also `\\#(...)` in raw strings) are code and are KEPT:
    names used inside them count. Multi-line `\"\"\"` strings and raw `#"..."#`
    strings are handled, as are nested `/* /* */ */` comments and `#/regex/#` literals.
  * A name exported by several folders is attributed to each of them (other than F)
    and flagged as ambiguous (`*` in the text output).

Limits (the analysis is textual, not semantic)
  * A token counts whatever it means in context: a local variable, parameter, label or
    generic parameter that happens to be spelt like a type declared elsewhere counts.
  * A token right after `.` (member access, `Outer.Inner`, `.case`) is not counted,
    so module-qualified uses such as `Atelier.Order` are missed.
  * A token equal to a name the referencing file declares itself (at any depth, any
    visibility) or that F itself exports is taken as local and not counted: a nested
    `Status` shadows a top-level `Status` from another folder, even where the code
    means the other one.
  * Bare `/regex/` literals are not recognised (they are read as code).
  * Overloaded top-level functions or other duplicate names across folders are only
    flagged, never resolved.

Output (stdout): the folder edges with their top names, the strongly connected
components (Tarjan), the number of elementary cycles (Johnson, capped), the pairs of
folders that depend on each other both ways and a topological order of the
condensation, dependencies first. `--json` prints the same data as JSON.

With `--modules FILE.json` ({"Module": ["Folder", ...], ...}) it also reports the
edges between modules, the module-level cycles and, for each backward edge, every
referencing file:line and name, i.e. what would have to move. Folders not assigned in
the file become a module of their own. Within a module cycle, a module listed earlier
in FILE.json is taken as the lower layer: an edge from it to a module listed later in
the same cycle is "backward".

Exit status: 0 (it is a measuring tool), 2 when the root does not exist or the
arguments (including the --modules file) are invalid.

Usage
    python3 scripts/folder-graph.py --root Sources      # the targets: a DAG, no cycles (the compiler keeps it so)
    python3 scripts/folder-graph.py --root Sources/AtelierCommerce   # the folders inside one module
    python3 scripts/folder-graph.py                     # the top module, Sources/Atelier
    python3 scripts/folder-graph.py --json
    python3 scripts/folder-graph.py --root Sources/Atelier --cycle-cap 100000
    python3 scripts/folder-graph.py --modules plan.json
"""

from __future__ import annotations

import argparse
import bisect
import json
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT_FOLDER = "(root)"
DEFAULT_ROOT = Path(__file__).resolve().parent.parent / "Sources" / "Atelier"
DEFAULT_CYCLE_CAP = 100_000
TOP_NAMES = 5

IDENTIFIER_RE = re.compile(r"(?<![A-Za-z0-9_])[A-Za-z_][A-Za-z0-9_]*")

MODIFIERS = (
    "public|package|internal|fileprivate|private|open|final|indirect|nonisolated|"
    "static|override|convenience|required|mutating|nonmutating|lazy|weak|unowned|"
    "dynamic|distributed|consuming|borrowing"
)
TOP_LEVEL_DECL_RE = re.compile(
    r"""^(?:@[A-Za-z_][\w.]*(?:\([^)]*\))?\s+)*           # @attributes
        (?P<mods>(?:(?:%s)(?:\([^)]*\))?\s+)*)            # modifiers, private(set)
        (?P<kw>struct|class|enum|protocol|actor|typealias|func|let|var|extension)\s+
        `?(?P<name>[A-Za-z_]\w*)""" % MODIFIERS,
    re.VERBOSE,
)
ANY_TYPE_DECL_RE = re.compile(
    r"(?<![\w.])(?:struct|class|enum|protocol|actor|typealias|associatedtype)\s+`?([A-Za-z_]\w*)"
)
NOT_A_NAME = {"func", "var", "let", "init", "subscript", "case", "static"}
FILE_PRIVATE = {"private", "fileprivate"}


# --------------------------------------------------------------------------- lexing


class SwiftCleaner:
    """Blank comments and string-literal contents, keeping offsets and line breaks.

    The result has the same length as the source; every blanked character becomes a
    space except newlines, so line numbers stay valid. Code inside string
    interpolations is kept.
    """

    def __init__(self, source: str):
        self.src = source
        self.out = list(source)
        self.n = len(source)

    def clean(self) -> str:
        self._code(0, inside_interpolation=False)
        return "".join(self.out)

    def _blank(self, start: int, end: int) -> None:
        for k in range(start, min(end, self.n)):
            if self.out[k] != "\n":
                self.out[k] = " "

    def _hashes_at(self, i: int) -> int:
        j = i
        while j < self.n and self.src[j] == "#":
            j += 1
        return j - i

    def _code(self, i: int, inside_interpolation: bool) -> int:
        """Scan code from i; inside an interpolation stop at the closing `)`.

        Returns the index of that `)` (or of the end of input).
        """
        src, depth = self.src, 0
        while i < self.n:
            c = src[i]
            if src.startswith("//", i):
                end = src.find("\n", i)
                end = self.n if end < 0 else end
                self._blank(i, end)
                i = end
            elif src.startswith("/*", i):
                i = self._block_comment(i)
            elif c == '"':
                i = self._string(i, 0)
            elif c == "#":
                hashes = self._hashes_at(i)
                nxt = i + hashes
                if nxt < self.n and src[nxt] == '"':
                    i = self._string(nxt, hashes, start=i)
                elif nxt < self.n and src[nxt] == "/":
                    i = self._regex(i, hashes)
                else:
                    i = nxt
            elif inside_interpolation and c == "(":
                depth += 1
                i += 1
            elif inside_interpolation and c == ")":
                if depth == 0:
                    return i
                depth -= 1
                i += 1
            else:
                i += 1
        return i

    def _block_comment(self, i: int) -> int:
        start, depth = i, 0
        while i < self.n:
            if self.src.startswith("/*", i):
                depth += 1
                i += 2
            elif self.src.startswith("*/", i):
                depth -= 1
                i += 2
                if depth == 0:
                    break
            else:
                i += 1
        self._blank(start, i)
        return i

    def _regex(self, i: int, hashes: int) -> int:
        """`#/.../#` extended regex literal: blank it entirely."""
        closer = "/" + "#" * hashes
        end = self.src.find(closer, i + hashes + 1)
        end = self.n if end < 0 else end + len(closer)
        self._blank(i, end)
        return end

    def _string(self, quote: int, hashes: int, start: int | None = None) -> int:
        """Blank a string literal whose first quote is at `quote`; return its end."""
        src = self.src
        start = quote if start is None else start
        multiline = src.startswith('"""', quote)
        opener = '"""' if multiline else '"'
        closer = opener + "#" * hashes
        escape = "\\" + "#" * hashes
        i = quote + len(opener)
        self._blank(start, i)
        while i < self.n:
            if src.startswith(closer, i):
                self._blank(i, i + len(closer))
                return i + len(closer)
            if src.startswith(escape, i):
                after = i + len(escape)
                if after < self.n and src[after] == "(":
                    self._blank(i, after + 1)
                    close = self._code(after + 1, inside_interpolation=True)
                    self._blank(close, close + 1)
                    i = close + 1
                else:  # \n, \", \u{...}, line continuation: skip the escaped char
                    self._blank(i, after + 1)
                    i = after + 1
                continue
            if src[i] == "\n" and not multiline:
                return i  # unterminated single-line string: stop at end of line
            self._blank(i, i + 1)
            i += 1
        return i


def clean_swift(source: str) -> str:
    return SwiftCleaner(source).clean()


# --------------------------------------------------------------------------- parsing


@dataclass
class SourceFile:
    rel_path: str
    folder: str
    cleaned: str
    line_starts: list[int]
    exported: set[str] = field(default_factory=set)
    file_local: set[str] = field(default_factory=set)  # private top-level + nested names

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.line_starts, offset)


@dataclass(frozen=True)
class Reference:
    source: str
    target: str
    name: str
    path: str
    line: int
    kind: str  # "use" or "extension"


def folder_of(path: Path, root: Path) -> str:
    parts = path.relative_to(root).parts
    return parts[0] if len(parts) > 1 else ROOT_FOLDER


def line_starts_of(text: str) -> list[int]:
    return [0] + [m.end() for m in re.finditer("\n", text)]


def collect_declarations(source_file: SourceFile) -> None:
    for line in source_file.cleaned.split("\n"):
        if not line or line[0].isspace():
            nested = ANY_TYPE_DECL_RE.findall(line)
            source_file.file_local.update(n for n in nested if n not in NOT_A_NAME)
            continue
        match = TOP_LEVEL_DECL_RE.match(line)
        if not match or match.group("kw") == "extension":
            continue
        name = match.group("name")
        if name in NOT_A_NAME:
            continue
        modifiers = re.sub(r"\w+\(set\)", "", match.group("mods"))  # private(set) is not file-local
        if FILE_PRIVATE & set(re.findall(r"\w+", modifiers)):
            source_file.file_local.add(name)
        else:
            source_file.exported.add(name)


def load_sources(root: Path) -> list[SourceFile]:
    files = []
    for path in sorted(root.rglob("*.swift")):
        cleaned = clean_swift(path.read_text(encoding="utf-8", errors="replace"))
        source_file = SourceFile(
            rel_path=str(path.relative_to(root)),
            folder=folder_of(path, root),
            cleaned=cleaned,
            line_starts=line_starts_of(cleaned),
        )
        collect_declarations(source_file)
        files.append(source_file)
    return files


def build_name_table(files: list[SourceFile]) -> dict[str, set[str]]:
    """Exported name -> folders that export it."""
    table: dict[str, set[str]] = defaultdict(set)
    for source_file in files:
        for name in source_file.exported:
            table[name].add(source_file.folder)
    return dict(table)


def is_member_access(text: str, offset: int) -> bool:
    """True when the token at offset follows a single `.` (not `..` or `...`)."""
    k = offset - 1
    while k >= 0 and text[k] in " \t\r\n":
        k -= 1
    return k >= 0 and text[k] == "." and (k == 0 or text[k - 1] != ".")


def previous_word(text: str, offset: int) -> str:
    match = re.search(r"([A-Za-z_]\w*)\s*$", text[max(0, offset - 40):offset])
    return match.group(1) if match else ""


def collect_references(files: list[SourceFile], names: dict[str, set[str]]) -> list[Reference]:
    references = []
    for source_file in files:
        text = source_file.cleaned
        for match in IDENTIFIER_RE.finditer(text):
            name = match.group()
            targets = names.get(name)
            if not targets or source_file.folder in targets:
                continue
            if name in source_file.file_local or is_member_access(text, match.start()):
                continue
            kind = "extension" if previous_word(text, match.start()) == "extension" else "use"
            line = source_file.line_of(match.start())
            for target in sorted(targets):
                references.append(
                    Reference(source_file.folder, target, name, source_file.rel_path, line, kind)
                )
    return references


# --------------------------------------------------------------------------- graphs


def group_edges(references: list[Reference], key) -> dict[tuple[str, str], list[Reference]]:
    edges: dict[tuple[str, str], list[Reference]] = defaultdict(list)
    for reference in references:
        source, target = key(reference.source), key(reference.target)
        if source != target:
            edges[(source, target)].append(reference)
    return dict(sorted(edges.items()))


def adjacency(nodes, edges) -> dict[str, set[str]]:
    graph = {node: set() for node in nodes}
    for source, target in edges:
        graph.setdefault(source, set()).add(target)
        graph.setdefault(target, set())
    return graph


def tarjan_sccs(graph: dict[str, set[str]]) -> list[list[str]]:
    index_of, low, on_stack, stack, sccs = {}, {}, set(), [], []
    counter = 0

    def visit(v: str) -> None:
        nonlocal counter
        index_of[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index_of:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index_of[w])
        if low[v] == index_of[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            sccs.append(sorted(component))

    for node in sorted(graph):
        if node not in index_of:
            visit(node)
    return sccs


def count_elementary_cycles(graph: dict[str, set[str]], cap: int) -> tuple[int, bool]:
    """Johnson's algorithm, counting only; stops at `cap`. Returns (count, capped)."""
    nodes = sorted(graph)
    position = {node: i for i, node in enumerate(nodes)}
    count = 0
    for i, start in enumerate(nodes):
        induced = {v: {w for w in graph[v] if position[w] >= i} for v in nodes[i:]}
        component = next(c for c in tarjan_sccs(induced) if start in c)
        if len(component) < 2:
            continue
        members = set(component)
        adj = {v: sorted(induced[v] & members) for v in component}
        blocked: set[str] = set()
        blockers: dict[str, set[str]] = defaultdict(set)

        def unblock(u: str) -> None:
            blocked.discard(u)
            while blockers[u]:
                w = blockers[u].pop()
                if w in blocked:
                    unblock(w)

        def circuit(v: str) -> bool:
            nonlocal count
            found = False
            blocked.add(v)
            for w in adj[v]:
                if count >= cap:
                    return True
                if w == start:
                    count += 1
                    found = True
                elif w not in blocked and circuit(w):
                    found = True
            if found:
                unblock(v)
            else:
                for w in adj[v]:
                    blockers[w].add(v)
            return found

        circuit(start)
        if count >= cap:
            return count, True
    return count, False


def condensation_order(graph: dict[str, set[str]], sccs: list[list[str]]) -> list[list[str]]:
    """Topological order of the SCCs, dependencies first (Kahn, ties by name)."""
    component_of = {v: i for i, scc in enumerate(sccs) for v in scc}
    depends_on = defaultdict(set)  # component -> components it uses
    for v, targets in graph.items():
        for w in targets:
            if component_of[v] != component_of[w]:
                depends_on[component_of[v]].add(component_of[w])
    users = defaultdict(set)
    for c, deps in depends_on.items():
        for d in deps:
            users[d].add(c)
    remaining = {c: len(depends_on[c]) for c in range(len(sccs))}
    ready = sorted((c for c, n in remaining.items() if n == 0), key=lambda c: sccs[c])
    order = []
    while ready:
        c = ready.pop(0)
        order.append(sccs[c])
        for user in users[c]:
            remaining[user] -= 1
            if remaining[user] == 0:
                ready.append(user)
        ready.sort(key=lambda c: sccs[c])
    return order


# --------------------------------------------------------------------------- analysis


def summarize_edge(references: list[Reference], ambiguous: set[str]) -> dict:
    names = Counter(r.name for r in references)
    return {
        "references": len(references),
        "extensions": sum(1 for r in references if r.kind == "extension"),
        "names": dict(names.most_common()),
        "ambiguous_names": sorted(n for n in names if n in ambiguous),
    }


def analyse_graph(nodes, edges: dict[tuple[str, str], list[Reference]], ambiguous, cycle_cap):
    graph = adjacency(nodes, edges)
    sccs = tarjan_sccs(graph)
    cycles, capped = count_elementary_cycles(graph, cycle_cap)
    two_cycles = []
    for (a, b), refs in edges.items():
        if a < b and (b, a) in edges:
            two_cycles.append({
                "pair": [a, b],
                "forward": dict(Counter(r.name for r in refs).most_common(TOP_NAMES)),
                "backward": dict(Counter(r.name for r in edges[(b, a)]).most_common(TOP_NAMES)),
            })
    return {
        "edges": [
            {"from": a, "to": b, **summarize_edge(refs, ambiguous)} for (a, b), refs in edges.items()
        ],
        "sccs": sorted((c for c in sccs if len(c) > 1), key=lambda c: (-len(c), c)),
        "elementary_cycles": {"count": cycles, "capped": capped, "cap": cycle_cap},
        "two_cycles": two_cycles,
        "topological_order": condensation_order(graph, sccs),
    }


def read_module_plan(path: Path) -> dict[str, list[str]]:
    """Read FILE.json; raise OSError or ValueError when unreadable or malformed."""
    plan = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(plan, dict) or not all(
        isinstance(v, list) and all(isinstance(f, str) for f in v) for v in plan.values()
    ):
        raise ValueError("expected a JSON object mapping module name -> list of folder names")
    return plan


def assign_folders(plan: dict[str, list[str]], folders: list[str]) -> tuple[dict[str, list[str]], list[str]]:
    """Return (module -> its existing folders, in plan order, then unassigned folders; warnings)."""
    warnings, modules, assigned = [], {}, {}
    for module, members in plan.items():
        modules[module] = []
        for folder in members:
            if folder not in folders:
                warnings.append(f"folder {folder!r} of module {module!r} does not exist")
            elif folder in assigned:
                warnings.append(f"folder {folder!r} is listed more than once; kept in {assigned[folder]!r}")
            else:
                assigned[folder] = module
                modules[module].append(folder)
    for folder in folders:
        if folder not in assigned:
            name = folder if folder not in modules else f"{folder} (unassigned)"
            warnings.append(f"folder {folder!r} is not assigned; treated as module {name!r}")
            modules[name] = [folder]
    return modules, warnings


def analyse_modules(modules, warnings, references, ambiguous, cycle_cap) -> dict:
    module_of = {folder: module for module, members in modules.items() for folder in members}
    rank = {module: i for i, module in enumerate(modules)}
    edges = group_edges(references, key=lambda folder: module_of[folder])
    result = analyse_graph(list(modules), edges, ambiguous, cycle_cap)
    component_of = {m: i for i, scc in enumerate(result["sccs"]) for m in scc}
    backward = []
    for (a, b), refs in edges.items():
        if a in component_of and component_of.get(b) == component_of[a] and rank[a] < rank[b]:
            backward.append({
                "from": a,
                "to": b,
                "sites": [
                    {"path": r.path, "line": r.line, "name": r.name, "target_folder": r.target, "kind": r.kind}
                    for r in sorted(refs, key=lambda r: (r.path, r.line, r.name))
                ],
            })
    return {"modules": modules, "warnings": warnings, **result, "backward_edges": backward}


def analyse(root: Path, cycle_cap: int, plan: dict[str, list[str]] | None) -> dict:
    files = load_sources(root)
    folders = sorted({f.folder for f in files})
    names = build_name_table(files)
    ambiguous = {name for name, owners in names.items() if len(owners) > 1}
    references = collect_references(files, names)
    edges = group_edges(references, key=lambda folder: folder)
    report = {
        "root": str(root),
        "files": len(files),
        "folders": folders,
        "declarations": {
            folder: sorted(n for n, owners in names.items() if folder in owners) for folder in folders
        },
        "ambiguous_names": {name: sorted(names[name]) for name in sorted(ambiguous)},
        **analyse_graph(folders, edges, ambiguous, cycle_cap),
    }
    if plan is not None:
        modules, warnings = assign_folders(plan, folders)
        report["module_plan"] = analyse_modules(modules, warnings, references, ambiguous, cycle_cap)
    return report


# --------------------------------------------------------------------------- output


def format_names(names: dict[str, int], ambiguous, limit=TOP_NAMES) -> str:
    top = list(names.items())[:limit]
    return ", ".join(f"{n}{'*' if n in ambiguous else ''} {c}" for n, c in top)


def format_cycles(info: dict) -> str:
    if info["capped"]:
        return f"at least {info['count']} elementary cycles (enumeration capped at {info['cap']})"
    return f"{info['count']} elementary cycles"


def print_graph_section(report: dict, ambiguous, noun: str) -> None:
    print(f"{noun.capitalize()} edges ({len(report['edges'])}), 'A -> B' means A uses B:")
    for edge in report["edges"]:
        extensions = f", {edge['extensions']} extension" if edge["extensions"] else ""
        print(f"  {edge['from']} -> {edge['to']}  ({edge['references']} references{extensions}: "
              f"{format_names(edge['names'], ambiguous)})")
    print()
    print(f"Strongly connected components with more than one {noun} ({len(report['sccs'])}):")
    for scc in report["sccs"]:
        print(f"  [{len(scc)}] " + ", ".join(scc))
    if not report["sccs"]:
        print(f"  none: the {noun}s already form a DAG")
    print()
    print(f"Cross-{noun} cycles: {format_cycles(report['elementary_cycles'])}")
    print(f"Two-way pairs (2-cycles): {len(report['two_cycles'])}")
    for pair in report["two_cycles"]:
        a, b = pair["pair"]
        print(f"  {a} <-> {b}")
        print(f"      {a} -> {b}: {format_names(pair['forward'], ambiguous)}")
        print(f"      {b} -> {a}: {format_names(pair['backward'], ambiguous)}")
    print()
    print("Topological order of the condensation (dependencies first):")
    for i, component in enumerate(report["topological_order"], 1):
        label = component[0] if len(component) == 1 else "{" + ", ".join(component) + "}"
        print(f"  {i:2}. {label}")


def print_text(report: dict) -> None:
    ambiguous = set(report["ambiguous_names"])
    print(f"Root: {report['root']}  ({report['files']} files, {len(report['folders'])} folders)")
    print()
    print_graph_section(report, ambiguous, "folder")
    print()
    print(f"Ambiguous names (exported by several folders, marked *): {len(ambiguous)}")
    for name, owners in report["ambiguous_names"].items():
        print(f"  {name}: {', '.join(owners)}")
    plan = report.get("module_plan")
    if plan is None:
        return
    print()
    print("=" * 78)
    print("Module plan:")
    for module, members in plan["modules"].items():
        print(f"  {module}: {', '.join(members) or '(empty)'}")
    for warning in plan["warnings"]:
        print(f"  warning: {warning}")
    print()
    print_graph_section(plan, ambiguous, "module")
    print()
    print(f"Backward edges ({len(plan['backward_edges'])}; inside a module cycle, "
          "towards a module listed later in the plan):")
    for edge in plan["backward_edges"]:
        print(f"  {edge['from']} -> {edge['to']}  ({len(edge['sites'])} references)")
        for site in edge["sites"]:
            star = "*" if site["name"] in ambiguous else ""
            kind = " (extension)" if site["kind"] == "extension" else ""
            print(f"      {site['path']}:{site['line']}  {site['name']}{star} -> {site['target_folder']}{kind}")


# --------------------------------------------------------------------------- main


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Measure dependencies between the folders of a Swift target.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT,
                        help="source root whose sub-folders are analysed (default: Sources/Atelier)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.add_argument("--modules", type=Path, metavar="FILE.json",
                        help="module plan: JSON object mapping module name -> list of folders")
    parser.add_argument("--cycle-cap", type=int, default=DEFAULT_CYCLE_CAP,
                        help=f"stop counting elementary cycles at this number (default {DEFAULT_CYCLE_CAP})")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_arguments(argv)
    if not args.root.is_dir():
        print(f"folder-graph: source root {args.root} does not exist", file=sys.stderr)
        return 2
    plan = None
    if args.modules is not None:
        try:
            plan = read_module_plan(args.modules)
        except (OSError, ValueError) as error:
            print(f"folder-graph: --modules {args.modules}: {error}", file=sys.stderr)
            return 2
    report = analyse(args.root, args.cycle_cap, plan)
    if args.json:
        json.dump(report, sys.stdout, indent=2)
        print()
    else:
        print_text(report)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
