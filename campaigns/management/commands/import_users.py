from campaigns.services import user_import
from cchc_portal.core.commands import ImportCommand


class Command(ImportCommand):
    allow_force = False  # no window: accounts and agencies are the Sở's at any time

    help = ("Nhập tài khoản do Sở cấp (cột username, full_name, email, agency_code, role); "
            "tài khoản mới nhận thư đặt mật khẩu.")

    def import_file(self, fh, *, actor, dry_run):
        return user_import(file=fh, dry_run=dry_run)
