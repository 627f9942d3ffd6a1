"""ReminderPolicy, Reminder and TickRun, moved here from notifications: their tables
(notifications_reminderpolicy, notifications_reminder, notifications_tickrun) already exist."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('campaigns', '0002_agency_groups'),
        ('notifications', '0004_reminders_move_to_automation'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.CreateModel(
                name='TickRun',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('now', models.DateTimeField(verbose_name='thời điểm xét')),
                    ('started_at', models.DateTimeField(default=django.utils.timezone.now)),
                    ('finished_at', models.DateTimeField(blank=True, null=True)),
                    ('results', models.JSONField(default=list)),
                    ('ok', models.BooleanField(default=True)),
                ],
                options={
                    'verbose_name': 'lượt chạy tự động',
                    'verbose_name_plural': 'lượt chạy tự động',
                    'db_table': 'notifications_tickrun',
                    'ordering': ['-started_at', '-id'],
                },
            ),
            migrations.CreateModel(
                name='ReminderPolicy',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('step_kind', models.CharField(choices=[('criteria', 'Điều chỉnh bộ tiêu chí'), ('training', 'Tập huấn'), ('self_assessment', 'Tự đánh giá, chấm điểm'), ('respondent_lists', 'Gửi danh sách đối tượng điều tra'), ('survey', 'Trả lời phiếu điều tra XHH'), ('appraisal', 'Thẩm định'), ('explanation', 'Giải trình, bổ sung tài liệu'), ('appraisal_2', 'Thẩm định lần 2'), ('publication', 'Công bố kết quả')], max_length=30, verbose_name='bước')),
                    ('offsets', models.JSONField(default=list, verbose_name='các mốc nhắc (ngày)')),
                    ('leader_from', models.SmallIntegerField(blank=True, help_text='Ví dụ 1: lãnh đạo đơn vị nhận nhắc từ mốc 1 ngày trước hạn trở đi. Để trống: không báo.', null=True, verbose_name='báo lãnh đạo đơn vị từ mốc')),
                    ('notify_officers', models.BooleanField(default=True, verbose_name='báo cán bộ Sở khi quá hạn')),
                    ('active', models.BooleanField(default=True, verbose_name='đang áp dụng')),
                    ('updated_at', models.DateTimeField(default=django.utils.timezone.now)),
                    ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reminder_policies', to='campaigns.campaign')),
                    ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'verbose_name': 'chính sách nhắc hạn',
                    'verbose_name_plural': 'chính sách nhắc hạn',
                    'db_table': 'notifications_reminderpolicy',
                    'ordering': ['campaign', 'step_kind'],
                },
            ),
            migrations.CreateModel(
                name='Reminder',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('target', models.CharField(max_length=80, verbose_name='đối tượng nhắc')),
                    ('target_name', models.CharField(blank=True, max_length=255, verbose_name='tên đối tượng nhắc')),
                    ('recipient', models.CharField(max_length=160, verbose_name='người nhận')),
                    ('offset', models.SmallIntegerField(verbose_name='mốc (ngày)')),
                    ('deadline', models.DateTimeField(verbose_name='hạn áp dụng')),
                    ('due_at', models.DateTimeField(verbose_name='đến hạn nhắc lúc')),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                    ('email', models.EmailField(blank=True, max_length=254)),
                    ('outbox', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='notifications.outbox')),
                    ('policy', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reminders', to='automation.reminderpolicy')),
                ],
                options={
                    'verbose_name': 'lượt nhắc hạn',
                    'verbose_name_plural': 'lượt nhắc hạn',
                    'db_table': 'notifications_reminder',
                    'ordering': ['-created_at', '-id'],
                },
            ),
            migrations.AddConstraint(
                model_name='reminderpolicy',
                constraint=models.UniqueConstraint(fields=('campaign', 'step_kind'), name='uniq_reminder_policy'),
            ),
            migrations.AddConstraint(
                model_name='reminder',
                constraint=models.UniqueConstraint(fields=('policy', 'recipient', 'offset'), name='uniq_reminder'),
            ),
        ], database_operations=[]),
    ]
