"""Domain nouns: immutable values, no I/O, no clock."""

from deconflict.model.access import Credential, Role
from deconflict.model.alert import Alert, AlertKind
from deconflict.model.area import Area, AreaKind
from deconflict.model.conflict import (
    Conflict,
    Rule,
    SeparationFinding,
    SeparationLevel,
    Severity,
    Verdict,
)
from deconflict.model.filing import Answer, AnswerKind, Filing, NoticeState
from deconflict.model.measure import (
    THRESHOLD_TOLERANCE_M,
    AltitudeBand,
    Degrees,
    Metres,
    Position,
    Window,
    parse_rfc3339,
    rfc3339,
)
from deconflict.model.message import Level, Message
from deconflict.model.notice import DEFAULT_STANDOFF_M, Notice, NoticeKind
from deconflict.model.party import (
    DisclosureLevel,
    DisclosureRule,
    Party,
    PartyKind,
    Relation,
    RelationKind,
    Relations,
    SeparationPolicy,
    SeparationRule,
)
from deconflict.model.scenario import FORMAT_VERSION, Scenario
from deconflict.model.sensor import (
    Border,
    FieldError,
    Patrol,
    Sensor,
    SensorKind,
    horizon_range_m,
)
from deconflict.model.shape import Shape
from deconflict.model.site import Site, SiteKind
from deconflict.model.unit import Fix, Unit, UnitKind
from deconflict.model.zone import Side, Zone, ZoneKind, ZoneVersion

__all__ = [
    "DEFAULT_STANDOFF_M",
    "FORMAT_VERSION",
    "THRESHOLD_TOLERANCE_M",
    "Alert",
    "AlertKind",
    "AltitudeBand",
    "Answer",
    "AnswerKind",
    "Area",
    "AreaKind",
    "Border",
    "Conflict",
    "Credential",
    "Degrees",
    "DisclosureLevel",
    "DisclosureRule",
    "FieldError",
    "Filing",
    "Fix",
    "Level",
    "Message",
    "Metres",
    "Notice",
    "NoticeKind",
    "NoticeState",
    "Party",
    "PartyKind",
    "Patrol",
    "Position",
    "Relation",
    "RelationKind",
    "Relations",
    "Role",
    "Rule",
    "Scenario",
    "Sensor",
    "SensorKind",
    "SeparationFinding",
    "SeparationLevel",
    "SeparationPolicy",
    "SeparationRule",
    "Severity",
    "Shape",
    "Side",
    "Site",
    "SiteKind",
    "Unit",
    "UnitKind",
    "Verdict",
    "Window",
    "Zone",
    "ZoneKind",
    "ZoneVersion",
    "horizon_range_m",
    "parse_rfc3339",
    "rfc3339",
]
