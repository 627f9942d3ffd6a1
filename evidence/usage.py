"""What keeps a document from being deleted: every link to it.

`evidence` may not import `scoring`. Links made through a relation to `Document` (e.g.
`scoring.Item.documents`, related name `items`) are found generically from the model's
reverse relations; anything else that refers to documents registers a checker here in its
AppConfig.ready(): `register(fn)` with `fn(document) -> str | list[str] | None` naming
what uses it.
"""
from .models import Document

_checkers = []


def register(checker):
    if checker not in _checkers:
        _checkers.append(checker)
    return checker


def unregister(checker):
    if checker in _checkers:
        _checkers.remove(checker)


def link_relations():
    """Reverse relations to Document that count as links: (accessor name, related model)."""
    relations = []
    for rel in Document._meta.related_objects:
        accessor = rel.get_accessor_name()
        if accessor and not rel.hidden and (rel.many_to_many or rel.one_to_many):
            relations.append((accessor, rel.related_model))
    return relations


def document_usage(document) -> list[str]:
    """Human-readable uses of a document ("2 tiêu chí chấm"); empty when it is free."""
    uses = []
    for accessor, model in link_relations():
        count = getattr(document, accessor).count()
        if count:
            uses.append(f"{count} {model._meta.verbose_name}")
    for checker in _checkers:
        found = checker(document)
        if isinstance(found, str):
            found = [found]
        uses.extend(u for u in (found or []) if u)
    return uses
