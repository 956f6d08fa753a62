"""Every indicator the engine computes: its name, ESF+ code, label and definition.

The label and the definition are English msgids (``N_``): the pages show them in
the reader's language, the exports in Italian. The definition says exactly what
is counted, so a funder reading the spreadsheet and a facilitator reading the
page agree on what a number means.
"""

from __future__ import annotations

from mutuo_aiuto.services.figures.rows import N_, Indicator

# Outcomes a facilitator records that count as help that worked.
GOOD_OUTCOMES = ("resolved", "partly")
# Hours given ÷ received, in bands: the distribution of reciprocity.
RATIO_BANDS = ("received_only", "below_half", "half_to_double", "above_double", "given_only")


def _i(name: str, label: str, definition: str, **kw: object) -> Indicator:
    return Indicator(name, label, definition, **kw)  # type: ignore[arg-type]


INDICATORS: tuple[Indicator, ...] = (
    # ---- the funnel: requests posted in the period, and how far each got so far
    _i("requests_posted", N_("Requests posted"),
       N_("Requests for help posted in the period (drafts not counted), by the request's "
          "neighbourhood and category."), additive=True, over_time=True),
    _i("requests_proposed", N_("Requests proposed a helper"),
       N_("Of the requests posted in the period, those for which the matcher proposed a "
          "helper or a facilitator paired one by hand, up to the day of the report."),
       additive=True, over_time=True),
    _i("requests_confirmed", N_("Requests with a confirmed pairing"),
       N_("Of the requests posted in the period, those a facilitator confirmed a pairing for, "
          "up to the day of the report."), additive=True, over_time=True),
    _i("requests_accepted", N_("Requests whose helper accepted"),
       N_("Of the requests posted in the period, those whose helper accepted a pairing, up "
          "to the day of the report."), additive=True, over_time=True),
    _i("requests_closed_well", N_("Requests closed with a good outcome"),
       N_("Of the requests posted in the period, those with a pairing closed as resolved or "
          "partly resolved, up to the day of the report."), additive=True, over_time=True),
    _i("median_days_to_proposal", N_("Median days from request to proposal"),
       N_("For the requests posted in the period that got a proposal: the median number of "
          "days from posting to the first proposal.")),
    _i("median_days_to_confirmation", N_("Median days from proposal to confirmation"),
       N_("For the requests posted in the period with a confirmed pairing: the median days "
          "from the first proposal to the first confirmation.")),
    _i("median_days_to_acceptance", N_("Median days from confirmation to acceptance"),
       N_("For the requests posted in the period whose helper accepted: the median days "
          "from the confirmation to the helper's acceptance.")),
    _i("median_days_to_good_close", N_("Median days from acceptance to a good close"),
       N_("For the requests posted in the period closed with a good outcome: the median "
          "days from the helper's acceptance to the close.")),
    _i("unmatched_requests", N_("Requests left without a proposal, by reason"),
       N_("Requests the matcher looked at in the period and could not propose a helper for, "
          "each counted once under the last reason it found in the period (the category "
          "column holds the reason's code)."), additive=True),
    # ---- hours
    _i("hours_of_help", N_("Hours of help given"),
       N_("Hours helpers gave in the period, as recorded month by month (or, for a pairing "
          "without monthly hours, in the month it closed), by the family's neighbourhood "
          "and the category of the request. Hidden where fewer than 5 pairings add up "
          "to it."), additive=True, over_time=True),
    # ---- activity and retention
    _i("active_households", N_("Active households"),
       N_("Households that posted a request or an offer, took part in a pairing running in "
          "the period or came to a group meeting, by their neighbourhood."), additive=True),
    _i("active_share", N_("Share of registered households that were active"),
       N_("Active households divided by the households registered by the period's end.")),
    _i("households_joined", N_("Households that joined"),
       N_("Households registered in the month (the period columns give the month)."),
       additive=True, over_time=True),
    _i("retention_3_months", N_("Still active 3 months after joining"),
       N_("Of the households that joined in the month, the share active in the third month "
          "after it or later. Empty until that month has come.")),
    _i("retention_6_months", N_("Still active 6 months after joining"),
       N_("Of the households that joined in the month, the share active in the sixth month "
          "after it or later. Empty until that month has come.")),
    # ---- reciprocity
    _i("reciprocity_households", N_("Households that give, receive or both"),
       N_("Households with a pairing confirmed in the period, by role: only giving help "
          "(given), only receiving it (received) or both (both), in the category column."),
       additive=True),
    _i("hours_ratio_households", N_("Households by hours given ÷ hours received"),
       N_("Households that gave or received hours in the period, by the ratio of hours "
          "given to hours received: received only, below 0.5, 0.5 to 2, above 2, given "
          "only (the category column holds the band)."), additive=True),
    # ---- the help network
    _i("network_households", N_("Households in the help network"),
       N_("Households with a pairing confirmed in the period, on either side.")),
    _i("network_ties", N_("Ties between households"),
       N_("Pairs of households with a pairing confirmed in the period; a pair paired both "
          "ways or several times is one tie.")),
    _i("network_new_ties", N_("New ties"),
       N_("Ties whose first pairing ever was confirmed in the period.")),
    _i("network_repeated_ties", N_("Repeated ties"),
       N_("Ties of the period whose two households have been paired two times or more up to "
          "the period's end.")),
    _i("network_help_between_neighbourhoods", N_("Pairings by neighbourhoods"),
       N_("Pairings confirmed in the period by the family's neighbourhood (neighbourhood "
          "column) and the helper's neighbourhood (category column)."),
       additive=True, over_time=True),
    _i("network_share_across_neighbourhoods", N_("Share of pairings across neighbourhoods"),
       N_("Pairings whose family and helper live in different neighbourhoods, divided by "
          "all pairings confirmed in the period.")),
    _i("network_ties_across_age_bands", N_("Ties across age bands"),
       N_("Ties joining households whose eldest members are in different age bands, of the "
          "ties where both are known (category: across / known).")),
    _i("network_ties_across_citizenship", N_("Ties across citizenship"),
       N_("Ties joining households of different citizenship groups (Italian, other EU, "
          "outside the EU: a household counts in the furthest any member has), of the ties "
          "where both are known (category: across / known).")),
    _i("network_ties_without_shared_language", N_("Ties without a shared language"),
       N_("Ties joining households that have no language in common, of the ties where both "
          "households listed their languages (category: across / known).")),
    _i("network_largest_component_share", N_("Share of households in the largest connected "
                                             "group"),
       N_("Households in the largest group all linked by ties, divided by the households "
          "in the network.")),
    _i("network_density", N_("Network density"),
       N_("Ties divided by the ties there could be between the network's households.")),
    _i("network_reciprocity", N_("Network reciprocity"),
       N_("Share of the directed ties (helper to family) answered by a tie the other way.")),
    _i("network_clustering", N_("Network clustering"),
       N_("Average clustering: for each household, the share of its partners' pairs that "
          "are tied themselves, averaged over the households.")),
    _i("network_bridging_households", N_("Households bridging neighbourhoods"),
       N_("Households whose ties reach households in two neighbourhoods or more.")),
    # ---- belonging and satisfaction (services/belonging.py)
    _i("belonging_households", N_("Households whose belonging rose, held or fell"),
       N_("Households that answered “I know people in my neighbourhood I can ask for "
          "help” (1 to 5) at two follow-ups or more by the period's end, one of them in "
          "the period: their latest answer against their first, higher (improved), the same "
          "(unchanged) or lower (worse), in the category column."), additive=True),
    _i("belonging_mean", N_("Belonging before and after"),
       N_("For the same households: the mean of their first answer (before) and of their "
          "latest (after), on the scale from 1 (strongly disagree) to 5 (strongly agree). "
          "Hidden where fewer than 5 households answered.")),
    _i("satisfaction_mean", N_("Satisfaction of families and helpers"),
       N_("The mean rating from 1 to 5 that families (family) and helpers (helper) gave "
          "the pairings closed in the period, when asked at the close. Hidden where fewer "
          "than 5 ratings stand behind it.")),
    # ---- participants (ESF+)
    _i("participants", N_("Participants by gender and age band"),
       N_("People in the households that took part for the first time in the period "
          "(first pairing on either side, or first group meeting), by gender and age band "
          "in the year they joined; the total is ESF+ EECO11. 55–64 and 65+ together make "
          "EECO07."), code="EECO11", additive=True, over_time=True),
    _i("participants_by_employment", N_("Participants by employment status at entry"),
       N_("The same participants by their work when they joined. ESF+ EECO01 is the "
          "unemployed and the long-term unemployed together."), additive=True, over_time=True),
    _i("participants_by_education", N_("Participants by education level"),
       N_("The same participants by the highest level of education completed (ISCED)."),
       additive=True, over_time=True),
    _i("participants_by_citizenship", N_("Participants by citizenship"),
       N_("The same participants by citizenship; outside the EU is ESF+ EECO13."),
       additive=True, over_time=True),
    _i("participants_by_foreign_background", N_("Participants by foreign background"),
       N_("The same participants by foreign background; yes is ESF+ EECO14."),
       additive=True, over_time=True),
    _i("participants_with_disabilities", N_("Participants with disabilities"),
       N_("The same participants who said they have a disability (special-category data: "
          "any number under 5, zero included, is hidden). ESF+ EECO12."),
       code="EECO12", additive=True, over_time=True, special=True),
)

BY_NAME = {indicator.name: indicator for indicator in INDICATORS}
