from django.db import migrations

GROUPS = [
    ("department", "Sở, ban, ngành tỉnh", 1),
    ("district", "UBND cấp huyện", 2),
    ("commune", "UBND cấp xã (xã, phường, đặc khu)", 3),
]


def create_groups(apps, schema_editor):
    AgencyGroup = apps.get_model("campaigns", "AgencyGroup")
    for code, name, order in GROUPS:
        AgencyGroup.objects.get_or_create(code=code, defaults={"name": name, "order": order})
    Group = apps.get_model("auth", "Group")
    for role in ("admin", "officer", "appraiser"):
        Group.objects.get_or_create(name=role)


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
