from campaigns.services import agency_import
from cchc_portal.core.commands import ImportCommand


class Command(ImportCommand):
    allow_force = False  # no window: accounts and agencies are the Sở's at any time

    help = "Nhập cơ quan, đơn vị từ Excel (cột code, name, group, parent_code, email)."

    def import_file(self, fh, *, actor, dry_run):
        return agency_import(file=fh, dry_run=dry_run)
