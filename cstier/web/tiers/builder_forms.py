"""The rule builder's WTForms: one row form per list in a scheme definition."""

from collections.abc import Iterator

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from cstier.domain.numbers import NOT_FINITE, is_finite
from cstier.domain.tiering.operators import OPERATORS, SYMBOLS
from cstier.web.forms_common import FiniteFloatField, VersionField

OPERATOR_CHOICES = [SelectChoice(op, SYMBOLS.get(op, op.replace("_", " "))) for op in OPERATORS]
METHOD_CHOICES = {
    "value": [SelectChoice("bands", "Fixed bands"), SelectChoice("percentiles", "Percentiles")],
    "needs": [SelectChoice("score", "Weighted needs score")],
    "segment": [SelectChoice("rules", "Ordered rules")],
}
HYSTERESIS_CHOICES = [
    SelectChoice("", "None"),
    SelectChoice("margin_pct", "Margin (%)"),
    SelectChoice("runs", "Consecutive runs"),
]
MATCH_CHOICES = [SelectChoice("all", "all of"), SelectChoice("any", "any of")]
LISTS = {
    "bands": ("bands",),
    "percentiles": ("percentiles",),
    "score": ("components", "thresholds"),
    "rules": ("rules",),
}


def parse_mapping(text: str) -> dict[str, float]:
    """Read 'low=0, medium=0.5, high=1' as a value → score mapping."""
    table = {}
    for pair in filter(None, (part.strip() for part in text.split(","))):
        key, sep, score = pair.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"Write each entry as value=score, got {pair!r}.")
        if not is_finite(score):
            raise ValueError(f"The score of {key.strip()!r} {NOT_FINITE}.")
        table[key.strip()] = float(score)
    return table


class BandRow(Form):
    """A value band: tier and its [min, max) range."""

    tier = StringField("Tier", validators=[DataRequired(), Length(max=60)])
    min = FiniteFloatField("Min", validators=[Optional()])
    max = FiniteFloatField("Max", validators=[Optional()])


class ShareRow(Form):
    """A percentile tier: its share of accounts, top tier first."""

    tier = StringField("Tier", validators=[DataRequired(), Length(max=60)])
    share = FiniteFloatField("Share %", validators=[InputRequired(), NumberRange(min=0, max=100)])


class ComponentRow(Form):
    """A needs score component: a field, its weight and its scale or mapping."""

    name = StringField("Name", validators=[DataRequired(), Length(max=60)])
    field = SelectField("Field", validate_choice=False)
    weight = FiniteFloatField("Weight", validators=[InputRequired(), NumberRange(min=0)])
    min = FiniteFloatField("Min", validators=[Optional()])
    max = FiniteFloatField("Max", validators=[Optional()])
    mapping = StringField("Mapping", validators=[Optional()])
    invert = BooleanField("Invert")

    def validate_mapping(self, field: Field) -> None:
        """Refuse a mapping that is not value=score pairs."""
        try:
            parse_mapping(field.data or "")
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc


class ThresholdRow(Form):
    """A needs tier and the minimum score it starts at."""

    tier = StringField("Tier", validators=[DataRequired(), Length(max=60)])
    min = FiniteFloatField("Min score", validators=[Optional(), NumberRange(min=0, max=100)])


class ConditionRow(Form):
    """One condition of a rule: field, operator, value."""

    field = SelectField("Field", validate_choice=False)
    op = SelectField("Operator", choices=OPERATOR_CHOICES)
    value = StringField("Value")


class RuleRow(Form):
    """An ordered segment rule: its conditions combined with all/any."""

    name = StringField("Name", validators=[DataRequired(), Length(max=60)])
    tier = StringField("Tier", validators=[DataRequired(), Length(max=60)])
    match = SelectField("Match", choices=MATCH_CHOICES)
    conditions = FieldList(FormField(ConditionRow), min_entries=1)


class BuilderForm(FlaskForm):
    """A whole scheme definition, edited as fields and rows."""

    dimension = HiddenField()
    version = VersionField()
    method = SelectField("Method", validate_choice=False)
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    goal = TextAreaField("Goal", validators=[Optional(), Length(max=1000)])
    kpi = StringField("KPI", validators=[Optional(), Length(max=200)])
    field = SelectField("Value field", validate_choice=False)
    label = StringField("Label", validators=[Optional(), Length(max=60)])
    expansion_field = SelectField("Expansion field", validate_choice=False)
    expansion_weight = FiniteFloatField(
        "Expansion weight", validators=[Optional(), NumberRange(min=0)]
    )
    flag_field = SelectField("Strategic flag field", validate_choice=False)
    flag_tier = StringField("Strategic flag tier", validators=[Optional()])
    hysteresis = SelectField("Hysteresis", choices=HYSTERESIS_CHOICES)
    hysteresis_value = FiniteFloatField(
        "Hysteresis value", validators=[Optional(), NumberRange(min=0)]
    )
    default = StringField("Default tier", validators=[Optional(), Length(max=60)])
    bands = FieldList(FormField(BandRow))
    percentiles = FieldList(FormField(ShareRow))
    components = FieldList(FormField(ComponentRow))
    thresholds = FieldList(FormField(ThresholdRow))
    rules = FieldList(FormField(RuleRow))

    def used_lists(self) -> tuple[str, ...]:
        """Return the row lists of the chosen method."""
        return LISTS.get(self.method.data or "", ())


def set_choices(form: BuilderForm, catalog: dict[str, str]) -> None:
    """Fill the field selects from the catalog, keeping a current value that is unknown."""
    everything = sorted(catalog)
    numeric = [n for n in everything if catalog[n] == "number"]
    boolean = [n for n in everything if catalog[n] == "boolean"]
    form.method.choices = METHOD_CHOICES.get(form.dimension.data or "segment", [])
    _choices(form.field, numeric)
    _choices(form.expansion_field, ["", *numeric])
    _choices(form.flag_field, ["", *boolean])
    for entry in form.components:
        _choices(entry.form.field, everything)
    for rule in form.rules:
        for condition in rule.form.conditions:
            _choices(condition.form.field, everything)


def _choices(select: SelectField, names: list[str]) -> None:
    current = select.data
    extra = [current] if current and current not in names else []
    select.choices = [SelectChoice(n, n or "—") for n in [*names, *extra]]


def edit_rows(form: BuilderForm, action: str) -> bool:
    """Add or remove the row an 'add:<list>' / 'remove:<row>' action names; False if none."""
    verb, _, target = action.partition(":")
    if verb == "add":
        field_list = _find(form, target)
        if isinstance(field_list, FieldList):
            field_list.append_entry()
            return True
    if verb == "remove":
        parent_name, _, _ = target.rpartition("-")
        field_list = _find(form, parent_name)
        if isinstance(field_list, FieldList) and len(field_list.entries) > 1:
            field_list.entries = [e for e in field_list.entries if e.name != target]
            return True
        return isinstance(field_list, FieldList)
    if verb == "method":
        # Rows of the other methods would not be saved; start the new lists with a row.
        for name in {n for lists in LISTS.values() for n in lists} - set(form.used_lists()):
            form[name].entries = []
        for name in form.used_lists():
            if not form[name].entries:
                form[name].append_entry()
        return True
    return False


def _find(form: BuilderForm, name: str) -> Field | None:
    # A name like "rules-1-conditions" walks the nested field lists.
    parts = name.split("-")
    node: object = form
    while parts and node is not None:
        head = parts.pop(0)
        if isinstance(node, FieldList):
            node = next((e for e in node.entries if e.name == f"{node.name}-{head}"), None)
            node = node.form if node is not None else None
        else:
            node = node._fields.get(head) if hasattr(node, "_fields") else None
    return node if isinstance(node, Field) else None


VALUE_MEASURE = ("field", "label", "expansion_field", "expansion_weight", "flag_field", "flag_tier")


def shown_fields(form: BuilderForm) -> Iterator[Field]:
    """Yield every input the page shows for the chosen method, rows included."""
    hidden = {"dimension", *(n for lists in LISTS.values() for n in lists)} - set(form.used_lists())
    if form.method.data not in ("bands", "percentiles"):
        hidden |= set(VALUE_MEASURE)
    for field in form:
        if field.short_name not in hidden:
            yield from _leaves(field)


def _leaves(field: Field) -> Iterator[Field]:
    if isinstance(field, FieldList):
        for entry in field:
            for child in entry.form:
                yield from _leaves(child)
    elif field.type != "CSRFTokenField":
        yield field
