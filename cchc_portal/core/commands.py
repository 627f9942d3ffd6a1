"""What every management command that writes shares: `--user` (who acts: the services apply
that user's rules, as on the pages), `--force --reason` (past a window, on the record), and
the record itself (CommandRun) of every run, finished or refused."""
import abc
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from .exceptions import ApplicationError
from .models import CommandRun

COMMAND_LINE = "dòng lệnh"


@dataclass
class Actor:
    user: object = None
    force: bool = False
    reason: str = ""
    run: CommandRun | None = field(default=None, repr=False)

    @property
    def label(self) -> str:
        return self.user.username if self.user else COMMAND_LINE


def add_actor_arguments(parser, *, force=True) -> None:
    parser.add_argument("--user", default="",
                        help="Tên đăng nhập của người chạy lệnh: ghi vào nhật ký và áp dụng đúng quyền, thời hạn "
                             "như trên trang của người đó (không có: chạy như dòng lệnh, theo thời hạn của đơn vị).")
    if force:
        parser.add_argument("--force", action="store_true",
                            help="Bỏ qua thời hạn (cần --reason); ghi vào nhật ký.")
    parser.add_argument("--reason", default="", help="Lý do (bắt buộc với --force).")


def resolve_actor(options) -> Actor:
    """The actor the options name; a CommandError for an unknown or inactive user, or
    `--force` without a reason."""
    username = (options.get("user") or "").strip()
    user = None
    if username:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Không có người dùng “{username}”.")
        if not user.is_active:
            raise CommandError(f"Tài khoản “{username}” đã bị khóa.")
    force = bool(options.get("force"))
    reason = " ".join((options.get("reason") or "").split())
    if force and not reason:
        raise CommandError("--force cần --reason \"lý do\": việc bỏ qua thời hạn được ghi vào nhật ký.")
    return Actor(user=user, force=force, reason=reason)


def record(*, command, actor, arguments, outcome) -> CommandRun:
    clean = {k: v for k, v in arguments.items()
             if k not in ("verbosity", "settings", "pythonpath", "traceback", "no_color", "force_color",
                          "skip_checks", "stdout", "stderr", "user", "force", "reason")}
    return CommandRun.objects.create(command=command, user=actor.user, forced=actor.force, reason=actor.reason,
                                     arguments={k: str(v) for k, v in clean.items()}, outcome=outcome[:500],
                                     at=timezone.now())


class RecordedCommand(BaseCommand):
    """A command whose runs are recorded: subclasses implement `run(actor, **options)` and
    return the success line; a CommandError is recorded with its message and raised."""

    allow_force = True

    def add_arguments(self, parser):
        add_actor_arguments(parser, force=self.allow_force)

    def handle(self, *args, **options):
        actor = resolve_actor(options)
        name = self.__class__.__module__.rsplit(".", 1)[-1]
        try:
            line = self.run(actor, **options)
        except CommandError as exc:
            record(command=name, actor=actor, arguments=options, outcome=f"Lỗi: {exc}")
            raise
        record(command=name, actor=actor, arguments=options, outcome=line or "")
        if line:
            self.stdout.write(self.style.SUCCESS(line))

    def run(self, actor, **options) -> str:  # pragma: no cover - each command implements it
        raise NotImplementedError


class ImportCommand(RecordedCommand, metaclass=abc.ABCMeta):
    """An Excel import: `FILE [options] [--dry-run]` and the recorded-run arguments.

    Subclasses add their options in `add_import_arguments`, find what the options name in
    `targets` (before the file is opened), call their service in `import_file` and say
    what was done in `done`. A service's refusal (`ApplicationError`) and a file that
    cannot be opened stop the run as a CommandError; row errors are printed one a line
    and stop it too: nothing is imported when any row is wrong.
    """

    nothing_imported = "chưa nhập dữ liệu nào."

    def add_arguments(self, parser):
        parser.add_argument("file")
        self.add_import_arguments(parser)
        parser.add_argument("--dry-run", action="store_true", help="Chỉ kiểm tra, không ghi dữ liệu.")
        super().add_arguments(parser)

    def add_import_arguments(self, parser) -> None:
        """Options between FILE and --dry-run (e.g. --campaign)."""

    def targets(self, actor, **options) -> dict:
        """Objects the options name, passed on to `import_file` and `done`."""
        return {}

    @abc.abstractmethod
    def import_file(self, fh, *, actor, dry_run, **targets):
        """Call the import service on the open file; return its report (`errors`, counts)."""

    def done(self, report, *, actor, dry_run, **targets) -> str:
        verb = "Sẽ nhập" if dry_run else "Đã nhập"
        return f"{verb}: {report.created} mới, {report.updated} cập nhật."

    def refusal_hint(self, exc, *, actor) -> str:
        """Added to a refusal's message: how to get past it from the command line."""
        return ""

    def run(self, actor, *, file, dry_run, **options):
        targets = self.targets(actor, **options)
        try:
            with open(file, "rb") as fh:
                report = self.import_file(fh, actor=actor, dry_run=dry_run, **targets)
        except OSError as exc:
            raise CommandError(f"Không mở được tệp: {exc}") from exc
        except ApplicationError as exc:
            raise CommandError(f"{exc.message}{self.refusal_hint(exc, actor=actor)}") from exc
        for error in report.errors:
            self.stderr.write(str(error))
        if report.errors:
            raise CommandError(f"{len(report.errors)} lỗi; {self.nothing_imported}")
        return self.done(report, actor=actor, dry_run=dry_run, **targets)


def found(queryset, missing: str, **lookup):
    """The one row `lookup` names, or a CommandError saying `missing`."""
    row = queryset.filter(**lookup).first()
    if row is None:
        raise CommandError(missing)
    return row
