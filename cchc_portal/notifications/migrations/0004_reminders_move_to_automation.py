"""ReminderPolicy, Reminder and TickRun move to cchc_portal.automation (above campaigns).
Their tables stay as they are: only Django's picture of the models changes."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0003_reminder_target_name'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.RemoveField(
                model_name='reminder',
                name='outbox',
            ),
            migrations.RemoveField(
                model_name='reminder',
                name='policy',
            ),
            migrations.RemoveField(
                model_name='reminderpolicy',
                name='campaign',
            ),
            migrations.RemoveField(
                model_name='reminderpolicy',
                name='updated_by',
            ),
            migrations.DeleteModel(
                name='TickRun',
            ),
            migrations.DeleteModel(
                name='Reminder',
            ),
            migrations.DeleteModel(
                name='ReminderPolicy',
            ),
        ], database_operations=[]),
    ]
