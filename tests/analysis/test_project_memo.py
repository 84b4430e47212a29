"""The language server evaluates a project on every keystroke, carrying the call graph and the resolved
imports from one evaluation to the next, so that typing in one file of a large project costs that file.
Whatever happened before, its findings and verdict must be those of a fresh evaluation of the same
files: through edits that add and remove cross-file calls, imports that start and stop reaching a Redis
client, files created and deleted.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

from hscale_ls.analysis.live import LiveWorkspace
from hscale_ls.analysis.project import ProjectResult, evaluate

ROOT = Path(__file__).parents[2]
EXAMPLES = ROOT / "examples"


def summary(result: ProjectResult) -> tuple[object, ...]:
    audit = result.audit
    assert audit is not None
    findings = sorted((f.path, f.rule, f.name, f.span, f.related) for f in result.findings)
    return (audit.verdict, audit.external_state_types, audit.memory_state_types, tuple(findings))


def fresh(workspace: LiveWorkspace, root: str) -> ProjectResult:
    facts = [f for f in (workspace.facts_of(p) for p in workspace.members(root)) if f is not None]
    return evaluate(root, facts, workspace.config_for)  # no memo: everything built from the facts


def names(result: ProjectResult) -> set[str]:
    return {f.name for f in result.findings}


def replace_all(workspace: LiveWorkspace, path: Path, text: str, version: int) -> None:
    document = workspace.documents[str(path)]
    document.replace(text, version)
    workspace.changed(str(path))


SERVER = (
    'import { Server } from "socket.io";\nimport { track } from "./helpers.js";\n'
    'const io = new Server(3000);\nio.on("connection", (socket) => { track(socket.id); });\n'
)
VARIANTS = {
    # the handler's helper calls the function that writes the container, or does not
    "helpers.js": [
        'import { markOnline } from "./users.js";\nexport function track(id) { markOnline(id); }\n',
        'import { markOnline } from "./users.js";\nexport function track(id) { console.info(id); }\n',
        "export function track(id) { return id; }\nexport function unused() { markOnline(1); }\n",
    ],
    # the container is also written to Redis through a client from another module, when that module
    # imports a Redis client (which decides whether the ambiguous `set` counts)
    "users.js": [
        'import { client } from "./store.js";\nexport const onlineUsers = new Set();\n'
        'export function markOnline(id) { onlineUsers.add(id); client.set("online:" + id, 1, "EX", 60); }\n',
        'import { client } from "./plain.js";\nexport const onlineUsers = new Set();\n'
        'export function markOnline(id) { onlineUsers.add(id); client.set("online:" + id, 1, "EX", 60); }\n',
        "export const onlineUsers = new Set();\nexport function markOnline(id) { onlineUsers.add(id); }\n",
    ],
    "store.js": [
        'import { createClient } from "redis";\nexport const client = createClient();\n',
        "export const client = new Map();\n",
    ],
    "plain.js": [
        "export const client = new Map();\n",
        'import { createClient } from "redis";\nexport const client = createClient();\n',
    ],
}


def test_cross_file_calls_and_imports_come_and_go(tmp_path: Path) -> None:
    """A handler reaches a container in another file through a helper in a third; whether the write is
    mirrored to Redis depends on what a fourth file imports. Every file switches between variants that
    make and break those links, opened in the editor or changed on disk, created and deleted."""
    rng = random.Random(5)
    (tmp_path / "package.json").write_text("{}")
    (tmp_path / "server.js").write_text(SERVER)
    for name, texts in VARIANTS.items():
        (tmp_path / name).write_text(texts[0])
    workspace = LiveWorkspace()
    workspace.index_folder(str(tmp_path))
    root = workspace.project_of(str(tmp_path / "server.js"))
    seen: set[tuple[bool, tuple[str, ...]]] = set()
    versions: dict[str, int] = {}
    for step in range(600):
        name = rng.choice(sorted(VARIANTS))
        path = tmp_path / name
        text = rng.choice(VARIANTS[name])
        choice = rng.random()
        is_open = str(path) in workspace.documents
        if choice < 0.35:
            versions[name] = versions.get(name, 0) + 1
            if is_open:
                replace_all(workspace, path, text, versions[name])
            else:
                workspace.open(str(path), "javascript", versions[name], text)
        elif choice < 0.5 and is_open:
            workspace.close(str(path))  # back to what is on disk, or gone if it was deleted
        elif choice < 0.7 and not is_open and path.exists():
            path.unlink()
            workspace.forget(str(path))
        elif not is_open:
            path.write_text(text)
            workspace.refresh_from_disk(str(path))
        if step % 7 == 0:  # a preview (as a code action computes) evaluates other facts in between
            preview = workspace.fork()
            other = rng.choice(sorted(VARIANTS))
            preview.open(str(tmp_path / other), "javascript", 1000 + step, rng.choice(VARIANTS[other]))
            assert summary(preview.result(root)) == summary(fresh(preview, root)), step
        result = workspace.result(root)
        assert summary(result) == summary(fresh(workspace, root)), step
        audit = result.audit
        assert audit is not None
        seen.add(("onlineUsers" in names(result), audit.external_state_types))
    # the walk went through every state the links allow: flagged; written to Redis too; not reached
    assert {(True, ()), (False, ("presence",)), (False, ())} <= seen


def test_random_edits_across_every_example_agree_with_fresh_evaluations(tmp_path: Path) -> None:
    """Each step swaps one file's text for one of the texts of the same language seen so far (so calls,
    imports, handlers and containers come and go in every mix), or deletes or restores a file."""
    rng = random.Random(11)
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    workspace = LiveWorkspace()
    workspace.index_folder(str(tmp_path))
    roots = workspace.projects()
    sources = {
        p: Path(p).read_text() for p in workspace.all_paths() if Path(p).suffix in {".js", ".ts", ".py"}
    }
    by_suffix: dict[str, list[str]] = {}
    for path, text in sources.items():
        by_suffix.setdefault(Path(path).suffix, []).append(text)
    paths = sorted(sources)
    versions: dict[str, int] = {}
    for step in range(150):
        path = rng.choice(paths)
        action = rng.random()
        if action < 0.1 and path not in workspace.documents and Path(path).exists():
            Path(path).unlink()
            workspace.forget(path)
        elif action < 0.2 and not Path(path).exists():
            Path(path).write_text(sources[path])
            workspace.refresh_from_disk(path)
        elif Path(path).exists():
            text = rng.choice(by_suffix[Path(path).suffix])
            language = {".js": "javascript", ".ts": "typescript", ".py": "python"}[Path(path).suffix]
            versions[path] = versions.get(path, 0) + 1
            if path in workspace.documents:
                replace_all(workspace, Path(path), text, versions[path])
            else:
                workspace.open(path, language, versions[path], text)  # type: ignore[arg-type]
        root = workspace.project_of(path)
        assert summary(workspace.result(root)) == summary(fresh(workspace, root)), (step, path)
    for root in roots:
        assert summary(workspace.result(root)) == summary(fresh(workspace, root))
