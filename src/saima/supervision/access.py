"""Who may read and do what with supervision items and rectification lists.

The office creates, assigns, extends, closes and returns; the lead unit's people acknowledge,
report and ask for closure; a co-unit's people report their part; leaders and the office read
everything; a unit's people read the items their unit leads or helps with and the rectifications
it is responsible for.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from saima.org.access import Access
from saima.supervision.models import Item, Rectification, RectificationList


def items_for(access: Access) -> QuerySet[Item]:
    """The items this person may read."""
    items = Item.objects.select_related("lead_unit", "leader")
    if access.sees_everything:
        return items
    units = access.own_units
    return items.filter(Q(lead_unit_id__in=units) | Q(co_units__in=units)).distinct()


def readable_item(access: Access, pk: int) -> Item:
    item = Item.objects.select_related("lead_unit", "leader").filter(pk=pk).first()
    if item is None:
        raise Http404(_("There is no supervision item %(pk)s.") % {"pk": pk})
    if not can_read(access, item):
        raise PermissionDenied(_("You may not see this supervision item."))
    return item


def can_read(access: Access, item: Item) -> bool:
    return access.sees_everything or is_lead(access, item) or is_co(access, item)


def is_lead(access: Access, item: Item) -> bool:
    return item.lead_unit_id in access.own_units


def is_co(access: Access, item: Item) -> bool:
    units = access.own_units
    return bool(units) and item.co_units.filter(pk__in=units).exists()


def lists_for(access: Access) -> QuerySet[RectificationList]:
    lists = RectificationList.objects.all()
    if access.sees_everything:
        return lists
    return lists.filter(entries__unit_id__in=access.own_units).distinct()


def readable_list(access: Access, pk: int) -> RectificationList:
    found = RectificationList.objects.filter(pk=pk).first()
    if found is None:
        raise Http404(_("There is no rectification list %(pk)s.") % {"pk": pk})
    if not (access.sees_everything or lists_for(access).filter(pk=pk).exists()):
        raise PermissionDenied(_("You may not see this rectification list."))
    return found


def readable_rectification(access: Access, pk: int) -> Rectification:
    found = Rectification.objects.select_related("unit", "rectification_list").filter(pk=pk).first()
    if found is None:
        raise Http404(_("There is no rectification %(pk)s.") % {"pk": pk})
    if not (access.sees_everything or found.unit_id in access.own_units):
        raise PermissionDenied(_("You may not see this rectification."))
    return found
