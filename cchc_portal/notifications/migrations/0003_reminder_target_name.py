from django.db import migrations, models


def names_of_agency_targets(apps, schema_editor):
    """Reminders sent before: an agency's name for "agency:<id>" keys (the others stay blank)."""
    Reminder = apps.get_model("notifications", "Reminder")
    Agency = apps.get_model("campaigns", "Agency")
    names = dict(Agency.objects.values_list("pk", "name"))
    for reminder in Reminder.objects.filter(target__startswith="agency:", target_name="").only("id", "target"):
        try:
            name = names.get(int(reminder.target.split(":", 1)[1]), "")
        except ValueError:
            continue
        if name:
            Reminder.objects.filter(pk=reminder.pk).update(target_name=name[:255])


class Migration(migrations.Migration):

    dependencies = [
        ('campaigns', '0002_agency_groups'),
        ('notifications', '0002_outbox_claims_reminders_jobs'),
    ]

    operations = [
        migrations.AddField(
            model_name='reminder',
            name='target_name',
            field=models.CharField(blank=True, max_length=255, verbose_name='tên đối tượng nhắc'),
        ),
        migrations.RunPython(names_of_agency_targets, migrations.RunPython.noop),
    ]
