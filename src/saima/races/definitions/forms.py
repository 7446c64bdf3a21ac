"""Forms of the race definitions: the race, the header of its rules, one row per item, TOML.

The forms only read what was typed into the shape of a rules mapping (`docs/rules.md`); whether
the rules are valid is decided by the engine, through `services.definition_save`, so the pages
validate exactly as `saima race` validates a TOML file. A field left blank leaves its key out of
the mapping (the engine's default applies), so a definition opens in the form and saves back to
an equal mapping.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from saima.common.engine_text import say
from saima.engine.rules import KEYED, too_deep
from saima.engine.text import Text
from saima.metrics.models import Indicator
from saima.org.models import RaceGroup
from saima.races.definitions.services import check_code_free
from saima.races.models import Rhythm

#: Largest rules file (or pasted text) the pages and the API take.
MAX_TOML_BYTES = 1024 * 1024

#: Item keys that have their own column in the items table; every other key is a parameter.
ITEM_COLUMNS = ("code", "data", "name", "metric", "weight", "method")
METRICS = ("completion", "gap", "growth", "growth_vs_target", "value")
METHODS = ("rank", "efficacy", "attainment", "bands", "linear", "manual")

#: The header's fields: (table or None for the top level, key) -> form field name.
HEADER_KEYS = {
    (None, "name"): "name",
    (None, "year"): "year",
    (None, "combined_jan_feb"): "combined_jan_feb",
    (None, "tie_break"): "tie_break",
    (None, "decimals"): "decimals",
    ("thresholds", "yellow_pp"): "thresholds_yellow_pp",
    ("thresholds", "growth_yellow_pp"): "thresholds_growth_yellow_pp",
    ("thresholds", "level_yellow_pct"): "thresholds_level_yellow_pct",
    ("missing", "policy"): "missing_policy",
    ("flags", "red"): "flags_red",
    ("flags", "yellow"): "flags_yellow",
    ("flags", "red_when"): "flags_red_when",
    ("flags", "yellow_when"): "flags_yellow_when",
    ("flags", "progress_award"): "flags_progress_award",
    ("flags", "veto"): "flags_veto",
    ("adjustments", "bonus_cap"): "adjustments_bonus_cap",
    ("adjustments", "deduction_cap"): "adjustments_deduction_cap",
    ("adjustments", "category_caps"): "adjustments_category_caps",
}
TABLES = ("thresholds", "missing", "flags", "adjustments")

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_ITEM_PROBLEM = re.compile(r"^indicator\[(\d+)\](?:\.([A-Za-z0-9_]+))?[^:]*: (.*)$", re.DOTALL)
_KEY_PROBLEM = re.compile(r"^([A-Za-z0-9_]+)(?:\.([A-Za-z0-9_]+))?: (.*)$", re.DOTALL)


# --- TOML values in one line -------------------------------------------------------------------


def toml_value(value: Any) -> str:
    """One TOML value on one line (strings quoted, lists in brackets)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{ " + inline_table(value) + " }" if value else "{}"
    return json.dumps(str(value), ensure_ascii=False)


def toml_key(key: str) -> str:
    return key if _BARE_KEY.match(key) else json.dumps(key, ensure_ascii=False)


def inline_table(values: Mapping[str, Any]) -> str:
    """`a = 1, b = "x"`: the inside of an inline table, as the office types parameters."""
    return ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in values.items())


def parse_inline(text: str) -> dict[str, Any]:
    """Keys and values typed as `step = 2.0`, `base = 0.6, span = 0.4`, or one per line.

    Raises ValidationError with the TOML parser's message.
    """
    text = text.strip()
    if not text:
        return {}
    try:
        return _loads(text)
    except RecursionError:
        raise ValidationError(_("The values are nested too deeply.")) from None
    except tomllib.TOMLDecodeError as exc:
        first = exc
    try:
        return _loads("p = { " + " ".join(text.splitlines()) + " }")["p"]
    except RecursionError:
        raise ValidationError(_("The values are nested too deeply.")) from None
    except tomllib.TOMLDecodeError as exc:
        problem = exc if "\n" not in text else first
        raise ValidationError(
            _("Not TOML: %(problem)s. Write keys and values like: step = 2.0, cap = 1.2")
            % {"problem": problem}
        ) from None


def _loads(text: str) -> dict[str, Any]:
    """TOML that nests no deeper than rules do (RecursionError otherwise, as the parser raises
    on much deeper text)."""
    values = tomllib.loads(text)
    if too_deep(values):
        raise RecursionError("nested too deeply")
    return values


def number(value: float | int | None) -> float | int | None:
    """A whole number as an int (weight = 25, not 25.0), anything else as it is."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def unstorable(value: Any, key: str = "") -> list[str]:
    """What the database cannot keep: numbers that are not finite, NUL characters."""
    if isinstance(value, float) and not math.isfinite(value):
        return [_("%(key)s: give a finite number, not %(value)s.") % {"key": key, "value": value}]
    if isinstance(value, str) and "\x00" in value:
        return [_("%(key)s: text must not contain a NUL character.") % {"key": key}]
    problems = []
    if isinstance(value, Mapping):
        for k, v in value.items():
            problems += unstorable(k, key) + unstorable(v, f"{key}.{k}" if key else str(k))
    elif isinstance(value, list | tuple):
        for position, v in enumerate(value, start=1):
            problems += unstorable(v, f"{key}[{position}]")
    return problems


# --- The race ----------------------------------------------------------------------------------


class RaceForm(forms.Form):
    """What a race is apart from its rules: code, names, groups, rhythm, objections."""

    code = forms.SlugField(label=gettext_lazy("Code"), max_length=32)
    name_zh = forms.CharField(label=gettext_lazy("Chinese name"), max_length=100)
    name_en = forms.CharField(label=gettext_lazy("English name"), max_length=200)
    groups = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Race groups"),
        queryset=RaceGroup.objects.order_by("order", "code"),
        widget=forms.CheckboxSelectMultiple,
        to_field_name="code",
        error_messages={"required": gettext_lazy("Choose at least one race group.")},
    )
    rhythm = forms.ChoiceField(
        label=gettext_lazy("Race every"), choices=Rhythm.choices, initial=Rhythm.QUARTER
    )
    monthly_comment = forms.BooleanField(
        label=gettext_lazy("Monthly comment between races"), required=False, initial=True
    )
    objection_days = forms.IntegerField(
        label=gettext_lazy("Days for objections"), min_value=0, max_value=90, initial=7
    )
    active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        check_code_free(code)
        return code

    def race_fields(self) -> dict[str, Any]:
        """The keyword arguments of `definition_save` apart from the rules."""
        data = self.cleaned_data
        return {
            "code": data["code"],
            "name_zh": data["name_zh"],
            "name_en": data["name_en"],
            "groups": list(data["groups"]),
            "rhythm": data["rhythm"],
            "monthly_comment": data["monthly_comment"],
            "objection_days": data["objection_days"],
            "active": data["active"],
        }


def race_initial(race) -> dict[str, Any]:
    return {
        "code": race.code,
        "name_zh": race.name_zh,
        "name_en": race.name_en,
        "groups": [g.code for g in race.groups.all()],
        "rhythm": race.rhythm,
        "monthly_comment": race.monthly_comment,
        "objection_days": race.objection_days,
        "active": race.active,
    }


# --- The header of the rules -------------------------------------------------------------------


def _blank_first(choices: Iterable[tuple[str, str]], blank) -> list[tuple[str, str]]:
    return [("", blank), *choices]


def _number_field(label, *, integer: bool = False, placeholder: str = ""):
    field = forms.IntegerField if integer else forms.FloatField
    attrs = {"step": "1" if integer else "any", "placeholder": placeholder}
    widget = forms.NumberInput(attrs=attrs)
    return field(label=label, required=False, widget=widget)


class RulesHeaderForm(forms.Form):
    """The top of a rules file: name, year, ranking, thresholds, missing figures, flags, caps.

    Blank means "the default" and leaves the key out of the rules.
    """

    name = forms.CharField(label=gettext_lazy("Name of the race (on the bulletin)"), max_length=300)
    year = forms.IntegerField(label=gettext_lazy("Year"))
    combined_jan_feb = forms.ChoiceField(
        label=gettext_lazy("January and February reported together"),
        required=False,
        choices=[
            ("", gettext_lazy("default (no)")),
            ("true", gettext_lazy("yes")),
            ("false", gettext_lazy("no")),
        ],
    )
    tie_break = forms.CharField(
        label=gettext_lazy("Tie-break item (code)"), required=False, max_length=64
    )
    decimals = _number_field(gettext_lazy("Decimals of the total"), integer=True, placeholder="2")
    thresholds_yellow_pp = _number_field(
        gettext_lazy("Yellow within (pp behind schedule; amounts and counts)"), placeholder="5.0"
    )
    thresholds_growth_yellow_pp = _number_field(
        gettext_lazy("Yellow within (pp below target growth)"), placeholder="1.0"
    )
    thresholds_level_yellow_pct = _number_field(
        # The % is a percent sign, not a placeholder:
        # xgettext:no-python-format
        gettext_lazy("Yellow within (% on the wrong side of a level)"),
        placeholder="5.0",
    )
    missing_policy = forms.ChoiceField(
        label=gettext_lazy("A missing figure"),
        required=False,
        choices=[
            ("", gettext_lazy("default (scores zero)")),
            ("zero", gettext_lazy("scores zero")),
            ("exclude", gettext_lazy("leaves the unit out of the race")),
            ("error", gettext_lazy("stops the race until it comes in")),
        ],
    )
    flags_red = _number_field(gettext_lazy("Red flags per group"), integer=True, placeholder="1")
    flags_yellow = _number_field(
        gettext_lazy("Yellow flags per group"), integer=True, placeholder="1"
    )
    flags_red_when = forms.ChoiceField(
        label=gettext_lazy("A red flag needs"),
        required=False,
        choices=[
            ("", gettext_lazy("default (nothing more)")),
            ("any", gettext_lazy("nothing more")),
            ("on_schedule", gettext_lazy("every light green")),
            ("no_red", gettext_lazy("no red light")),
        ],
    )
    flags_yellow_when = forms.ChoiceField(
        label=gettext_lazy("A yellow flag needs"),
        required=False,
        choices=[
            ("", gettext_lazy("default (nothing more)")),
            ("any", gettext_lazy("nothing more")),
            ("behind", gettext_lazy("some light yellow, red or missing")),
            ("red", gettext_lazy("some light red")),
        ],
    )
    flags_progress_award = _number_field(
        gettext_lazy("Progress awards per group"), integer=True, placeholder="1"
    )
    flags_veto = forms.ChoiceField(
        label=gettext_lazy("A veto"),
        required=False,
        choices=[
            ("", gettext_lazy("default (bars distinctions)")),
            ("no_distinction", gettext_lazy("bars the red flag and the progress award")),
            ("last", gettext_lazy("also ranks the unit last")),
        ],
    )
    adjustments_bonus_cap = _number_field(
        gettext_lazy("Bonus cap (points)"), placeholder=gettext_lazy("no cap")
    )
    adjustments_deduction_cap = _number_field(
        gettext_lazy("Deduction cap (points)"), placeholder=gettext_lazy("no cap")
    )
    adjustments_category_caps = forms.CharField(
        label=gettext_lazy("Caps per category"),
        required=False,
        max_length=2000,
        widget=forms.TextInput(attrs={"placeholder": "safety = 3.0, petitions = 2.0"}),
    )

    def clean_adjustments_category_caps(self) -> dict[str, Any]:
        return parse_inline(self.cleaned_data.get("adjustments_category_caps") or "")

    def clean_combined_jan_feb(self) -> bool | None:
        return {"true": True, "false": False}.get(self.cleaned_data.get("combined_jan_feb") or "")

    def rules_header(self) -> dict[str, Any]:
        """The mapping's top level and tables; blank fields are left out."""
        out: dict[str, Any] = {}
        for (table, key), field in HEADER_KEYS.items():
            value = self.cleaned_data.get(field)
            if value in (None, "", {}):
                continue
            value = number(value)
            if table is None:
                out[key] = value
            else:
                out.setdefault(table, {})[key] = value
        return out


def header_initial(rules: Mapping[str, Any]) -> dict[str, Any]:
    initial: dict[str, Any] = {}
    for (table, key), field in HEADER_KEYS.items():
        source = rules if table is None else rules.get(table) or {}
        if not isinstance(source, Mapping) or key not in source:
            continue
        value = source[key]
        if field == "combined_jan_feb":
            value = "true" if value is True else "false" if value is False else value
        elif field == "adjustments_category_caps" and isinstance(value, Mapping):
            value = inline_table(value)
        initial[field] = value
    return initial


# --- The items ---------------------------------------------------------------------------------


def indicator_choices() -> list[tuple[str, str]]:
    rows = Indicator.objects.order_by("order", "code")
    return _blank_first(
        ((i.code, f"{i.code} · {i.name}") for i in rows),
        _("— none (manual item) or the item's code —"),
    )


class ItemForm(forms.Form):
    """One `[[indicator]]` item: its columns, and every other key as TOML parameters."""

    code = forms.CharField(label=gettext_lazy("Code"), max_length=64, strip=False)
    name = forms.CharField(label=gettext_lazy("Name"), required=False, max_length=300)
    indicator = forms.ChoiceField(label=gettext_lazy("Data indicator"), required=False)
    metric = forms.ChoiceField(
        label=gettext_lazy("Metric"),
        required=False,
        choices=_blank_first(((m, m) for m in METRICS), gettext_lazy("default for the kind")),
    )
    weight = forms.FloatField(
        label=gettext_lazy("Weight"), widget=forms.NumberInput(attrs={"step": "any"})
    )
    method = forms.ChoiceField(
        label=gettext_lazy("Method"), choices=_blank_first(((m, m) for m in METHODS), "—")
    )
    parameters = forms.CharField(
        label=gettext_lazy("Parameters (TOML)"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(
            attrs={"rows": 1, "placeholder": "step = 2.0 · base = 0.6, span = 0.4 · cap = 1.2"}
        ),
    )

    def __init__(self, *args, indicators: list[tuple[str, str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = (
            indicators if indicators is not None else indicator_choices()
        )

    def clean_parameters(self) -> dict[str, Any]:
        values = parse_inline(self.cleaned_data.get("parameters") or "")
        own = sorted(set(values) & set(ITEM_COLUMNS))
        if own:
            raise ValidationError(
                _("Set %(keys)s in its own column, not among the parameters.")
                % {"keys": ", ".join(own)}
            )
        return values

    def item(self) -> dict[str, Any]:
        """The item's mapping, with keys in the order of `docs/rules.md`."""
        data = self.cleaned_data
        item: dict[str, Any] = {"code": data["code"]}
        if data.get("indicator") and data["indicator"] != data["code"]:
            item["data"] = data["indicator"]
        if data.get("name"):
            item["name"] = data["name"]
        parameters = dict(data.get("parameters") or {})
        for key in ("kind", "direction", "profile", "combined_jan_feb"):
            if key in parameters:
                item[key] = parameters.pop(key)
        if data.get("metric"):
            item["metric"] = data["metric"]
        item["weight"] = number(data["weight"])
        item["method"] = data["method"]
        item.update(parameters)
        return item


class BaseItemFormSet(forms.BaseFormSet):
    def __init__(self, *args, **kwargs):
        self.indicators = indicator_choices()
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "indicators": self.indicators}

    def entered(self) -> list[ItemForm]:
        """The rows that are items: not deleted, not left blank."""
        initial = self.initial_form_count()
        return [
            form
            for index, form in enumerate(self.forms)
            if (index < initial or form.has_changed())
            and not (self.can_delete and self._should_delete_form(form))
        ]

    def items(self) -> list[dict[str, Any]]:
        return [form.item() for form in self.entered()]


ItemFormSet = forms.formset_factory(
    ItemForm, formset=BaseItemFormSet, extra=1, can_delete=True, max_num=200, validate_max=True
)


def item_initial(rules: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per stored item."""
    known = set(Indicator.objects.values_list("code", flat=True))
    rows = []
    for item in rules.get("indicator") or []:
        if not isinstance(item, Mapping):
            continue
        code = str(item.get("code", ""))
        if item.get("data"):
            indicator = str(item["data"])
        elif item.get("method") != "manual" and code in known:
            indicator = code
        else:
            indicator = ""
        parameters = {k: v for k, v in item.items() if k not in ITEM_COLUMNS}
        rows.append(
            {
                "code": code,
                "name": item.get("name", ""),
                "indicator": indicator,
                "metric": item.get("metric", ""),
                "weight": item.get("weight"),
                "method": item.get("method", ""),
                "parameters": inline_table(parameters),
            }
        )
    return rows


# --- Placing the engine's problems next to what they are about ---------------------------------


def place_problems(
    details: Iterable[Text | str], header: RulesHeaderForm, rows: list[ItemForm]
) -> list[str]:
    """Add each `indicator[2].weight: ...` to row 2, each `flags.red: ...` to its header field;
    return the problems that belong to no field (shown at the top). All in the reader's
    language."""
    left: list[str] = []
    for problem in details:
        item = _ITEM_PROBLEM.match(problem)
        if item and 1 <= int(item.group(1)) <= len(rows):
            form, key = rows[int(item.group(1)) - 1], item.group(2)
            field = {"data": "indicator"}.get(key or "", key)
            if field not in form.fields:
                field = "parameters" if key else None
            form.add_error(field, _keyed_problem(problem, item.group(3)))
            continue
        top = _KEY_PROBLEM.match(problem)
        if top:
            table, key = top.group(1), top.group(2)
            field = HEADER_KEYS.get((table, key) if key else (None, table))
            if field is not None:
                header.add_error(field, _keyed_problem(problem, top.group(3)))
                continue
        left.append(say(problem))
    return left


def _keyed_problem(detail: Text | str, english: str) -> str:
    """The problem of a `key: problem` detail, in the reader's language."""
    if isinstance(detail, Text) and detail.template == KEYED:
        return say(detail.values["problem"])
    return say(english)


# --- TOML files --------------------------------------------------------------------------------


class TomlForm(forms.Form):
    """A rules file, uploaded or pasted."""

    file = forms.FileField(label=gettext_lazy("Rules file (.toml)"), required=False)
    text = forms.CharField(
        label=gettext_lazy("or paste the TOML"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
    )

    def clean(self):
        data = super().clean()
        upload, text = data.get("file"), data.get("text") or ""
        if upload is not None and text.strip():
            raise ValidationError(_("Upload a file or paste the rules, not both."))
        if upload is None and not text.strip():
            raise ValidationError(_("Upload a rules file or paste the rules."))
        if upload is not None:
            if upload.size > MAX_TOML_BYTES:
                raise ValidationError(
                    _("The file is %(size)s bytes; a rules file may have at most 1 MB.")
                    % {"size": upload.size}
                )
            raw = upload.read(MAX_TOML_BYTES + 1)
            data["toml"] = decode_toml(raw, name=upload.name)
        else:
            if len(text.encode("utf-8", "surrogatepass")) > MAX_TOML_BYTES:
                raise ValidationError(_("The rules may have at most 1 MB."))
            data["toml"] = text
        return data


def decode_toml(raw: bytes, *, name: str = "") -> str:
    """The text of an uploaded rules file: UTF-8, at most 1 MB (ValidationError otherwise)."""
    if len(raw) > MAX_TOML_BYTES:
        raise ValidationError(_("A rules file may have at most 1 MB."))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            _("%(name)s is not UTF-8 text: save the rules file as UTF-8 and upload it again.")
            % {"name": name or _("The file")}
        ) from None
    if "\x00" in text:
        raise ValidationError(_("%(name)s is not a text file.") % {"name": name or _("The file")})
    return text


class ImportForm(RaceForm, TomlForm):
    """A new race from a rules file."""
