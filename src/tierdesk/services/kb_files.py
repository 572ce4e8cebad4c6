"""The knowledge base as Markdown files, so a team can keep its articles in git
(`tierdesk kb export DIR` / `kb import DIR`).

One file per article and language, `<slug>.<language>.md`: YAML front matter between `---`
lines (slug, language, title, category, audience, tags), then the Markdown body. Export writes
each translation's working copy. Import reads every file first and checks all of them (front
matter, the category against the policy in force, language, audience, tags, title, body):
one bad file is an error naming the file and line, and nothing is imported. Then, by slug, a
new article is created, a new language added, or a changed text saved as a new revision; all
as drafts, published through the review as any other edit (issue 16).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from tierdesk.services import kb
from tierdesk.services.env import Env
from tierdesk.services.errors import InvalidInput
from tierdesk.services.kb_records import ArticleFilter

KEYS = ("slug", "language", "title", "category", "audience", "tags")
REQUIRED = ("slug", "language", "title", "category")


class ArticleFileError(InvalidInput):
    """A file that cannot be imported: `data["file"]` and `data["line"]` say where."""

    code = "article_file_invalid"

    def __init__(self, file: str, line: int, message: str) -> None:
        super(InvalidInput, self).__init__(f"{file}:{line}: {message}", file=file, line=line)
        self.data["field"] = "file"


@dataclass(frozen=True)
class ArticleFile:
    slug: str
    language: str
    title: str
    category: str
    audience: str
    tags: tuple[str, ...]
    body: str

    @property
    def name(self) -> str:
        return f"{self.slug}.{self.language}.md"


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.default_flow_style = None
    yaml.width = 100
    return yaml


def render(f: ArticleFile) -> str:
    """The file's text: front matter, then the body."""
    meta = {
        "slug": f.slug,
        "language": f.language,
        "title": f.title,
        "category": f.category,
        "audience": f.audience,
        "tags": list(f.tags),
    }
    buffer = io.StringIO()
    _yaml().dump(meta, buffer)
    return f"---\n{buffer.getvalue()}---\n{f.body.rstrip()}\n"


def parse(text: str, file: str) -> ArticleFile:
    """An article file; ArticleFileError naming `file` and the line for anything wrong."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise ArticleFileError(file, 1, "an article file starts with a '---' line (front matter)")
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        raise ArticleFileError(file, 1, "the front matter has no closing '---' line")
    try:
        meta = _yaml().load("\n".join(lines[1:end]))
    except MarkedYAMLError as exc:
        line = (
            (exc.problem_mark or exc.context_mark).line + 2
            if (exc.problem_mark or exc.context_mark)
            else 1
        )
        raise ArticleFileError(file, line, f"front matter: {exc.problem or exc}") from None
    except YAMLError as exc:
        raise ArticleFileError(file, 2, f"front matter: {exc}") from None
    if not isinstance(meta, CommentedMap):
        raise ArticleFileError(
            file, 2, "the front matter is a mapping of keys (slug: ..., title: ...)"
        )

    def line_of(key: str) -> int:
        return int(meta.lc.key(key)[0]) + 2

    for key in meta:
        if key not in KEYS:
            raise ArticleFileError(
                file, line_of(key), f"unknown key {key!r} (known: {', '.join(KEYS)})"
            )
    for key in REQUIRED:
        if not isinstance(meta.get(key), str) or not meta[key].strip():
            where = line_of(key) if key in meta else 1
            raise ArticleFileError(file, where, f"{key!r} is required (text)")
    tags = meta.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise ArticleFileError(file, line_of("tags"), "tags is a list of words, e.g. [refund, faq]")
    body = "\n".join(lines[end + 1 :]).strip("\n")
    return ArticleFile(
        meta["slug"].strip(),
        meta["language"].strip(),
        meta["title"].strip(),
        meta["category"].strip(),
        str(meta.get("audience", "public")).strip(),
        tuple(tags),
        body,
    )


def read_dir(env: Env, directory: Path) -> list[ArticleFile]:
    """Every `*.md` file of `directory`, parsed and checked (see the module doc)."""
    files = sorted(directory.glob("*.md"))
    out: list[ArticleFile] = []
    seen: dict[tuple[str, str], str] = {}
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ArticleFileError(str(path), 1, f"cannot read it: {exc}") from None
        f = parse(text, str(path))
        try:
            kb.validate(
                env,
                category=f.category,
                language=f.language,
                audience=f.audience,
                tags=f.tags,
                slug=f.slug,
                title=f.title,
                body=f.body,
            )
        except InvalidInput as exc:
            raise ArticleFileError(str(path), 1, exc.message) from None
        key = (f.slug, f.language)
        if key in seen:
            raise ArticleFileError(str(path), 1, f"{f.slug} in {f.language} is also in {seen[key]}")
        seen[key] = str(path)
        out.append(f)
    return out


def export(env: Env, directory: Path, *, actor_id: str) -> list[Path]:
    """Write every translation (its working copy) to `directory`; the files written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for view in kb.list_articles(env, ArticleFilter(), actor_id=actor_id, limit=100_000):
        a = view.article
        for t in view.translations:
            f = ArticleFile(a.slug, t.language, t.title, a.category, a.audience, a.tags, t.body)
            path = directory / f.name
            path.write_text(render(f), encoding="utf-8")
            written.append(path)
    return sorted(written)


@dataclass(frozen=True)
class Imported:
    created: int
    translated: int
    revised: int
    unchanged: int


def import_dir(env: Env, directory: Path, *, actor_id: str) -> Imported:
    """Import every file of `directory` (all checked first: one bad file imports nothing)."""
    files = read_dir(env, directory)
    created = translated = revised = unchanged = 0
    with env.reader() as uow:
        known = {f.slug: uow.kb.get_by_slug(f.slug) for f in files}
    ids = {slug: a.id for slug, a in known.items() if a is not None}
    for f in files:
        if f.slug not in ids:
            view = kb.create_article(
                env,
                actor_id=actor_id,
                category=f.category,
                language=f.language,
                title=f.title,
                body=f.body,
                audience=f.audience,
                tags=f.tags,
                slug=f.slug,
                note="kb import",
            )
            ids[f.slug] = view.article.id
            created += 1
            continue
        current = kb.get_article(env, ids[f.slug], actor_id=actor_id)
        t = current.translation(f.language)
        if t is None:
            kb.add_translation(
                env,
                article_id=ids[f.slug],
                actor_id=actor_id,
                language=f.language,
                title=f.title,
                body=f.body,
                note="kb import",
            )
            translated += 1
        elif (t.title, t.body.strip("\n")) != (f.title, f.body):
            kb.edit(
                env,
                article_id=ids[f.slug],
                language=f.language,
                actor_id=actor_id,
                title=f.title,
                body=f.body,
                note="kb import",
            )
            revised += 1
        else:
            unchanged += 1
        a = current.article
        if (a.category, a.audience, a.tags) != (f.category, f.audience, kb.normal_tags(f.tags)):
            kb.update_article(
                env,
                article_id=a.id,
                actor_id=actor_id,
                category=f.category,
                audience=f.audience,
                tags=f.tags,
            )
    return Imported(created, translated, revised, unchanged)
