"""Caps on what anonymous people can make the instance do: e-mails sent to an address, failed API tokens
from a client address. Fixed windows counted in the database (`RateCounter`), shared by every process.

    if not ratelimit.allow("mail-address", email, limit=3, per=timedelta(hours=1)):
        ...  # do not send; say nothing different on the page

The keys (addresses) are stored as an HMAC under the instance's secret: the table tells nothing about who
asked. Windows older than a day are pruned as new ones open.
"""

import datetime
import hashlib
import hmac

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import RateCounter

KEEP = datetime.timedelta(days=1)


def _key_hash(key):
    secret = settings.SECRET_KEY.encode()
    return hmac.new(secret, str(key).strip().lower().encode(), hashlib.sha256).hexdigest()


def _window(now, per):
    seconds = int(per.total_seconds())
    return datetime.datetime.fromtimestamp(int(now.timestamp()) // seconds * seconds, tz=datetime.UTC)


def count(bucket, key, *, per, now=None):
    """How many hits `key` has in the current window of `bucket`."""
    now = now or timezone.now()
    row = RateCounter.objects.filter(bucket=bucket, key_hash=_key_hash(key), window_start=_window(now, per))
    return row.values_list("count", flat=True).first() or 0


def hit(bucket, key, *, per, now=None):
    """Count one more hit for `key`; returns the count in the current window (this hit included)."""
    now = now or timezone.now()
    start, key_hash = _window(now, per), _key_hash(key)
    with transaction.atomic():
        updated = RateCounter.objects.filter(bucket=bucket, key_hash=key_hash, window_start=start).update(
            count=F("count") + 1
        )
        if not updated:
            try:
                with transaction.atomic():
                    RateCounter.objects.create(bucket=bucket, key_hash=key_hash, window_start=start, count=1)
            except IntegrityError:  # another process opened the window at the same moment
                RateCounter.objects.filter(bucket=bucket, key_hash=key_hash, window_start=start).update(
                    count=F("count") + 1
                )
            RateCounter.objects.filter(window_start__lt=now - max(KEEP, 2 * per)).delete()
        return RateCounter.objects.get(bucket=bucket, key_hash=key_hash, window_start=start).count


def allow(bucket, key, *, limit, per, now=None):
    """Count a hit and say whether it is within `limit` per `per` (a timedelta)."""
    return hit(bucket, key, per=per, now=now) <= limit
