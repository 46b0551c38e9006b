"""Django settings for type checking only: django-stubs' mypy plugin loads the apps with these to learn the models.

lineagedb configures Django in code for each instance (``lineagedb.core._django.configure``); the plugin needs a
settings module instead. pyproject.toml names this one (``[tool.django-stubs]``); mypy runs from the repository root,
which the plugin puts on ``sys.path``.
"""

DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
INSTALLED_APPS = ["lineagedb", "lineagedb.bio"]
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
