from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CmsConfig(AppConfig):
    default = True
    name = "cms"
    verbose_name = "Content"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from cms.permissions import ensure_staff_group

        # Runs after every app so permissions of apps migrated later are included.
        post_migrate.connect(ensure_staff_group, dispatch_uid="postdeck_staff_group")


class CmsAdminConfig(admin_apps.AdminConfig):
    """Installs Postdeck's admin site in place of Django's default one."""

    default = False
    # Outside the cms.admin package: importing that package registers ModelAdmins,
    # which must not happen while the site itself is being built.
    default_site = "cms.sites.PostdeckAdminSite"
