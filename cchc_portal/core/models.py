from django.db import models
from django.utils import timezone


class BaseModel(models.Model):
    created_at = models.DateTimeField("tạo lúc", default=timezone.now, editable=False, db_index=True)
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        abstract = True
