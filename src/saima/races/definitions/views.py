"""Pages of race definitions: the rule editor, TOML import and export, and a race's rules.

The office writes (new, edit, import, replace from TOML); leaders read the rules and download
their TOML; a unit has no use for the rule editor and gets 403. Every write goes through
`definition_save`, which validates the rules as `saima race` validates a TOML file;
the engine's problems are shown next to the item or field they name, and nothing is saved while
anything is wrong.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from saima.common.engine_text import say, say_error
from saima.common.pages import page
from saima.common.requests import whole_number
from saima.engine import RulesError
from saima.metrics.models import Indicator
from saima.org.access import Access, access_of, require_office
from saima.races.definitions import forms
from saima.races.definitions.rules import METHOD_NAMES, METRIC_NAMES, parse_toml, to_toml
from saima.races.definitions.selectors import race_rules, race_toml, visible_races
from saima.races.definitions.services import definition_save
from saima.races.models import RaceDefinition

ITEMS = "items"


def _max_rules_upload() -> int:
    """A rules file and pasted rules, each at most MAX_TOML_BYTES."""
    return 2 * forms.MAX_TOML_BYTES


# --- Lookups -----------------------------------------------------------------------------------


def _office_race(access: Access, code: str) -> RaceDefinition:
    """A race the office is about to change (403 for anyone else, then 404)."""
    require_office(access)
    race = RaceDefinition.objects.prefetch_related("groups").filter(code=code).first()
    if race is None:
        raise Http404(_("There is no race with the code %(code)s.") % {"code": code})
    return race


def _readable_definition(access: Access, code: str) -> RaceDefinition:
    """A race whose rules this person may read: every race for the office and leaders, the
    races of its groups for a unit's people (the rules they are scored by, as the API allows);
    404 for any other."""
    races = RaceDefinition.objects if access.sees_everything else visible_races(access)
    race = races.prefetch_related("groups").filter(code=code).first()
    if race is None:
        raise Http404(_("There is no race with the code %(code)s.") % {"code": code})
    return race


# --- Saving ------------------------------------------------------------------------------------


def _refused(exc: Exception, *, race_form=None, header=None, rows=()) -> list[str]:
    """Spread a refusal over the forms; return what belongs to no field (shown at the top)."""
    if isinstance(exc, RulesError):
        if header is None:
            return say_error(exc)
        return [say(exc.args[0]), *forms.place_problems(exc.details, header, list(rows))]
    assert isinstance(exc, ValidationError)
    if not hasattr(exc, "error_dict"):
        return [str(m) for m in exc.messages]
    top: list[str] = []
    for field, problems in exc.message_dict.items():
        if race_form is not None and field in race_form.fields:
            for problem in problems:
                race_form.add_error(field, problem)
        elif header is not None and field == "year":
            for problem in problems:
                header.add_error("year", problem)
        else:
            top += [str(p) for p in problems]
    return top


def _save(access: Access, race: RaceDefinition | None, rules: dict[str, Any], fields: dict):
    """`definition_save`, after refusing what the database cannot keep."""
    problems = forms.unstorable(rules)
    if problems:
        raise RulesError(_("The rules cannot be stored"), details=problems)
    return definition_save(access, race=race, rules=rules, **fields)


def _saved(request, race: RaceDefinition, message: str) -> HttpResponseRedirect:
    messages.success(request, message % {"race": race.name, "revision": race.revision})
    return HttpResponseRedirect(reverse("races:definition", args=[race.code]))


# --- The editor --------------------------------------------------------------------------------


def _weight_sum(data, prefix: str = ITEMS) -> float:
    """The sum of the weights typed so far (rows marked for deletion left out)."""
    try:
        count = min(int(data.get(f"{prefix}-TOTAL_FORMS", 0)), 500)
    except (TypeError, ValueError):
        return 0.0
    total = 0.0
    for index in range(count):
        if data.get(f"{prefix}-{index}-DELETE"):
            continue
        try:
            total += float(str(data.get(f"{prefix}-{index}-weight", "")).strip() or 0)
        except ValueError:
            continue
    return forms.number(round(total, 6))


def _editor_context(race, race_form, header, items, **extra) -> dict[str, Any]:
    if items.is_bound:
        weights = _weight_sum(items.data)
    else:
        weights = forms.number(
            round(sum(float(row.get("weight") or 0) for row in items.initial or []), 6)
        )
    return {
        "race": race,
        "race_form": race_form,
        "header": header,
        "items": items,
        "weights": weights,
        "errors": [],
        "toml_form": forms.TomlForm() if race is not None else None,
        "toml_errors": [],
        **extra,
    }


def _with_row_added(post):
    data = post.copy()
    total = whole_number(data.get(f"{ITEMS}-TOTAL_FORMS", "0"))
    if total is not None:
        data[f"{ITEMS}-TOTAL_FORMS"] = str(total + 1)
    return data


def _editor(request, access: Access, race: RaceDefinition | None):
    if request.method != "POST":
        rules = race.rules if race is not None else {}
        race_form = forms.RaceForm(initial=forms.race_initial(race) if race is not None else None)
        header = forms.RulesHeaderForm(initial=forms.header_initial(rules))
        items = forms.ItemFormSet(
            prefix=ITEMS, initial=forms.item_initial(rules) if race is not None else None
        )
        if race is None:
            header.initial.setdefault("year", _default_year())
        return render(
            request,
            "races/definition_form.html",
            _editor_context(race, race_form, header, items),
        )
    action = request.POST.get("action", "save")
    if action == "replace" and race is not None:
        return _replace_from_toml(request, access, race)
    data = _with_row_added(request.POST) if action == "add_item" else request.POST
    race_form = forms.RaceForm(data)
    header = forms.RulesHeaderForm(data)
    items = forms.ItemFormSet(data, prefix=ITEMS)
    context = _editor_context(race, race_form, header, items)
    valid = all([race_form.is_valid(), header.is_valid(), items.is_valid()])
    if action == "add_item" or not valid:
        status = 200 if action == "add_item" else 400
        return render(request, "races/definition_form.html", context, status=status)
    rows = items.entered()
    rules = {**header.rules_header(), "indicator": [form.item() for form in rows]}
    try:
        saved = _save(access, race, rules, race_form.race_fields())
    except (RulesError, ValidationError) as exc:
        if race is not None:
            race.refresh_from_db()
        context["errors"] = _refused(exc, race_form=race_form, header=header, rows=rows)
        return render(request, "races/definition_form.html", context, status=400)
    return _saved(request, saved, _("%(race)s is saved (rule revision %(revision)s)."))


def _default_year() -> int:
    from django.utils import timezone

    return timezone.localdate().year


@page(max_upload=_max_rules_upload)
@require_http_methods(["GET", "HEAD", "POST"])
def definition_new(request):
    access = access_of(request)
    require_office(access)
    return _editor(request, access, None)


@page(max_upload=_max_rules_upload)
@require_http_methods(["GET", "HEAD", "POST"])
def definition_edit(request, code: str):
    access = access_of(request)
    race = _office_race(access, code)
    return _editor(request, access, race)


@page
@require_POST
def definition_weights(request):
    """The running sum of the weights, for the editor (htmx)."""
    require_office(access_of(request))
    return render(request, "races/_definition_weights.html", {"weights": _weight_sum(request.POST)})


# --- TOML --------------------------------------------------------------------------------------


def _replace_from_toml(request, access: Access, race: RaceDefinition):
    """Replace a race's rules with a TOML file, keeping its code, names, groups and rhythm."""
    toml_form = forms.TomlForm(request.POST, request.FILES)
    toml_errors: list[str] = []
    if toml_form.is_valid():
        fields = forms.race_initial(race) | {"groups": list(race.groups.all())}
        try:
            rules = parse_toml(toml_form.cleaned_data["toml"], source=_("the rules file"))
            saved = _save(access, race, rules, fields)
        except (RulesError, ValidationError) as exc:
            race.refresh_from_db()
            toml_errors = _refused(exc)
        else:
            done = _("The rules of %(race)s are replaced (rule revision %(revision)s).")
            return _saved(request, saved, done)
    race_form = forms.RaceForm(initial=forms.race_initial(race))
    header = forms.RulesHeaderForm(initial=forms.header_initial(race.rules))
    items = forms.ItemFormSet(prefix=ITEMS, initial=forms.item_initial(race.rules))
    context = _editor_context(
        race, race_form, header, items, toml_form=toml_form, toml_errors=toml_errors
    )
    return render(request, "races/definition_form.html", context, status=400)


@page(max_upload=_max_rules_upload)
@require_http_methods(["GET", "HEAD", "POST"])
def definition_import(request):
    """A new race from a rules file (uploaded or pasted), with its code, names and groups."""
    access = access_of(request)
    require_office(access)
    if request.method != "POST":
        form = forms.ImportForm()
        return render(request, "races/definition_import.html", {"form": form, "errors": []})
    form = forms.ImportForm(request.POST, request.FILES)
    errors: list[str] = []
    if form.is_valid():
        try:
            rules = parse_toml(form.cleaned_data["toml"], source=_("the rules file"))
            saved = _save(access, None, rules, form.race_fields())
        except (RulesError, ValidationError) as exc:
            errors = _refused(exc, race_form=form)
        else:
            return _saved(request, saved, _("%(race)s is imported (rule revision %(revision)s)."))
    context = {"form": form, "errors": errors}
    return render(request, "races/definition_import.html", context, status=400)


@page
@require_safe
def definition_toml(request, code: str):
    """The race's rules as a TOML file for `saima race`."""
    race = _readable_definition(access_of(request), code)
    text = race_toml(race)
    response = HttpResponse(text, content_type="application/toml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{race.code}.toml"'
    return response


# --- A race's rules ----------------------------------------------------------------------------


def _item_rows(race: RaceDefinition, rules) -> list[dict[str, Any]]:
    stored = [i for i in race.rules.get("indicator") or [] if isinstance(i, dict)]
    checked = {item.code: item for item in rules.items} if rules is not None else {}
    sources = {str(i.get("data") or i.get("code")) for i in stored}
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=sources)}
    rows = []
    for item in stored:
        code = str(item.get("code"))
        engine_item = checked.get(code)
        manual = item.get("method") == "manual"
        parameters = {k: v for k, v in item.items() if k not in forms.ITEM_COLUMNS}
        rows.append(
            {
                "code": code,
                "name": item.get("name", ""),
                "indicator": None if manual else indicators.get(str(item.get("data") or code)),
                "manual": manual,
                "metric": _label(
                    METRIC_NAMES,
                    item.get("metric")
                    or (engine_item.effective_metric if engine_item and not manual else ""),
                ),
                "metric_is_default": "metric" not in item,
                "weight": item.get("weight"),
                "method": _label(METHOD_NAMES, item.get("method")),
                "parameters": forms.inline_table(parameters),
            }
        )
    return rows


def _label(labels, code: Any) -> str:
    """A code of the rules in the reader's words, with the code itself (which TOML uses)."""
    if not code:
        return ""
    label = labels.get(code)
    return f"{label} ({code})" if label is not None and str(label) != code else str(code)


def _header_labels(rules) -> dict[str, str]:
    """The header's coded choices in the reader's words, as the editor offers them."""
    if rules is None:
        return {}
    fields = forms.RulesHeaderForm.base_fields
    chosen = {
        "missing_policy": rules.missing.policy,
        "flags_red_when": rules.flags.red_when,
        "flags_yellow_when": rules.flags.yellow_when,
        "flags_veto": rules.flags.veto,
    }
    return {name: _label(dict(fields[name].choices), code) for name, code in chosen.items()}


@page
@require_safe
def definition(request, code: str):
    """A race's rules: the items, thresholds, flags and caps, the revision and its history."""
    access = access_of(request)
    race = _readable_definition(access, code)
    problems: list[str] = []
    try:
        rules = race_rules(race)
    except RulesError as exc:
        rules, problems = None, say_error(exc)
    try:
        toml = race_toml(race)
    except RulesError:
        toml = to_toml(race.rules)
    history = race.history.select_related("updated_by", "history_user").order_by("-history_id")
    context = {
        "race": race,
        "access": access,
        "groups": list(race.groups.all()),
        "rules": rules,
        "problems": problems,
        "items": _item_rows(race, rules),
        "labels": _header_labels(rules),
        "toml": toml,
        "history": history[:50],
    }
    return render(request, "races/definition_detail.html", context)
