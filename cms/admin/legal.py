"""Terms of Service and Privacy Policy: edited here, shown at /legal/<kind>/,
every save kept as a version (who changed what, when)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from cms.legal.services import legal_page_save
from cms.legal.texts import STARTING_TEXTS
from cms.models import LegalPage, LegalPageVersion


class LegalPageForm(forms.ModelForm):
    note = forms.CharField(
        label="What changed",
        required=False,
        max_length=300,
        help_text="Kept with this version, e.g. 'Added the contact address'.",
    )

    class Meta:
        model = LegalPage
        fields = ["kind", "title", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 30, "cols": 100})}


class LegalPageVersionInline(admin.TabularInline):
    model = LegalPageVersion
    extra = 0
    can_delete = False
    fields = ["changed_at", "changed_by", "note", "title"]
    readonly_fields = ["changed_at", "changed_by", "note", "title"]
    verbose_name_plural = "history (newest first)"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LegalPage)
class LegalPageAdmin(admin.ModelAdmin):
    """Global: one Terms and one Privacy page per installation."""

    form = LegalPageForm
    list_display = ["__str__", "title", "public_url", "updated_at", "updated_by"]
    readonly_fields = ["public_url", "updated_at", "updated_by"]
    inlines = [LegalPageVersionInline]

    @admin.display(description="public address")
    def public_url(self, obj: LegalPage) -> str:
        if not obj.kind:
            return "—"
        url = reverse("legal:page", args=[obj.kind])
        return format_html('<a href="{}">{}</a>', url, url)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        # A new page starts from Postdeck's text for the first kind not yet saved.
        taken = set(LegalPage.objects.values_list("kind", flat=True))
        kind = request.GET.get("kind") or next(
            (kind for kind in LegalPage.Kind.values if kind not in taken), "terms"
        )
        title, body = STARTING_TEXTS.get(kind, STARTING_TEXTS["terms"])
        return {"kind": kind, "title": title, "body": body}

    def save_model(
        self, request: HttpRequest, obj: LegalPage, form: Any, change: bool
    ) -> None:
        saved = legal_page_save(
            kind=obj.kind,
            title=obj.title,
            body=obj.body,
            user=request.user,
            note=form.cleaned_data.get("note", ""),
        )
        obj.pk = saved.pk
        obj.body = saved.body
