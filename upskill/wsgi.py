import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "upskill.settings")
application = get_wsgi_application()

# What start-up made (modules, models, the app registry: ~100,000 objects) lives as long
# as the process. Frozen, the collector no longer walks it on every full collection: on
# the L&D admin's dashboard at 50,000 people those collections were the slow requests
# (115-170 ms each; p95 217 ms, 102-107 ms frozen; README, "A 50,000-person
# organisation"). Objects requests make are collected as before.
gc.freeze()
