"""Named groups of the lake's vocabulary codes, for the rules that treat several codes alike.

The vocabularies themselves are the contract's (joinedup.lake.schema, where a column's
whole enumeration stays, BUDGET_FUNDERS among them); a group that two or more modules need
(the metrics, the risk model, the record, the hub, the generator, the extract) is named
here once, so that the modules cannot come to disagree about what, say, a care home is.
Free of Django and of every app, like the rest of the lake.
"""

from __future__ import annotations

from joinedup.lake.schema import PACKAGE_FUNDERS, PURPOSES, SERVICE_TYPES

# Care package services that are a place in a care home (not care at home).
CARE_HOME_SERVICES = ("residential_care", "nursing_care")
# Reablement and rehabilitation (intermediate care): short-term services that help someone
# recover after a crisis or a hospital stay.
REABLEMENT_SERVICES = ("reablement", "intermediate_care")
# Funders through whom the council supports a package (on its own, or from the pooled
# budget it shares with the NHS): "council-supported" in the metrics and the generator.
COUNCIL_SUPPORTED_FUNDERS = ("council", "pooled")
# The purposes an extract of the operational database may be made for (a synthetic lake is
# generated, never extracted).
EXTRACT_PURPOSES = ("secondary_use", "direct_care")

assert set(CARE_HOME_SERVICES) | set(REABLEMENT_SERVICES) <= set(SERVICE_TYPES)
assert set(COUNCIL_SUPPORTED_FUNDERS) <= set(PACKAGE_FUNDERS)
assert set(EXTRACT_PURPOSES) <= set(PURPOSES)
