"""Units, race groups, people's roles, and API tokens."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def person_field(related: str = "+", **extra) -> models.ForeignKey:
    """A nullable link to the person who did something, kept when the account is deleted."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name=related,
        on_delete=models.SET_NULL,
        **extra,
    )


class BilingualName(models.Model):
    """A thing with a Chinese and an English name, shown in the reader's language."""

    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=200)

    class Meta:
        abstract = True

    @property
    def name(self) -> str:
        language = (get_language() or "zh-hans").lower()
        return self.name_en if language.startswith("en") else self.name_zh

    def __str__(self) -> str:
        return self.name


class RaceGroup(BilingualName):
    """Comparable units ranked together (districts apart from counties)."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("race group")
        verbose_name_plural = _("race groups")


class Unit(BilingualName):
    """A district, county, zone, department or subsidiary that gets targets."""

    class Kind(models.TextChoices):
        CITY = "city", _("city")
        DISTRICT = "district", _("district")
        COUNTY = "county", _("county")
        ZONE = "zone", _("development zone")
        DEPARTMENT = "department", _("department")
        ENTERPRISE = "enterprise", _("enterprise")

    code = models.SlugField(_("code"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        related_name="children",
        on_delete=models.PROTECT,
    )
    race_group = models.ForeignKey(
        RaceGroup,
        verbose_name=_("race group"),
        null=True,
        blank=True,
        related_name="units",
        on_delete=models.SET_NULL,
    )
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")


class Role(models.TextChoices):
    OFFICE = "office", _("office administrator")
    LEADER = "leader", _("leader")
    REPORTER = "reporter", _("unit reporter")
    APPROVER = "approver", _("unit approver")


UNIT_ROLES = (Role.REPORTER, Role.APPROVER)


class Membership(models.Model):
    """A person's role: office-wide (office, leader) or within one unit (reporter, approver)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        related_name="memberships",
        on_delete=models.CASCADE,
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        related_name="memberships",
        on_delete=models.CASCADE,
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "unit"], name="membership_unique_role_in_unit"
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(unit__isnull=True),
                name="membership_unique_office_role",
            ),
            models.CheckConstraint(
                condition=(Q(role__in=["reporter", "approver"]) & Q(unit__isnull=False))
                | (Q(role__in=["office", "leader"]) & Q(unit__isnull=True)),
                name="membership_unit_matches_role",
            ),
        ]

    def __str__(self) -> str:
        where = f" @ {self.unit}" if self.unit_id else ""
        return f"{self.user} — {self.get_role_display()}{where}"


class ApiToken(models.Model):
    """A per-user token for scripts; only its hash is stored, and it can be revoked."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        related_name="api_tokens",
        on_delete=models.CASCADE,
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, db_index=True)
    digest = models.CharField(_("digest"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
