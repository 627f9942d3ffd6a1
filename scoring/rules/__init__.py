"""Rule kinds of a criterion: their parameters, their text form and the validation of inputs.

Pure Python (no Django): the criteria import, the API and the engine share it.

Rule kinds
----------
A branch has the rule ``sum`` (its points are the sum of its children, capped at its max).
A leaf has one of:

=========  ============================================  ==========================================
rule       params (JSON, numbers as strings)             agency input (``clean_input``)
=========  ============================================  ==========================================
manual     ``{"step": "0.25"}`` (step optional, 0.01)    ``{"score": "1.5"}``: 0 ≤ score ≤ max, on step
levels     ``{"levels": [{"label", "points"}, ...]}``    ``{"level": "Trễ hạn"}``: one listed label
bands      ``{"bands": [{"min", "min_inclusive",``       ``{"numerator": 9, "denominator": 10}``
           ``"max", "max_inclusive", "points"}, ...]}``
           (+ optional ``"over"``)
ratio      ``{}``, ``{"target": "100"}``, ``"over"``      ``{"numerator": 9, "denominator": 10}``
deduction  ``{"per": "0.5"}``                            ``{"count": 2}``: a whole number ≥ 0
survey     ``{}``                                        none (points come from the survey)
imported   ``{"step": ...}`` like manual                 ``{"score": ...}`` like manual (fallback
                                                         when no imported figure exists)
bonus      ``{"step": ...}`` like manual                 ``{"score": ...}`` like manual
penalty    ``{"step": ...}`` like manual                 ``{"score": ...}``: points taken off
=========  ============================================  ==========================================

For bands and ratio the percentage is numerator / denominator × 100 and the denominator must be
above 0. A numerator above the denominator (10 inspections done of 8 planned) is accepted and
scored as 100 % (``"over": "cap"``, the default) unless the params say ``"over": "refuse"``
(a rate that cannot pass 100 %, e.g. dossiers solved on time), which refuses it. In a band a
bound of ``None`` means unbounded; its ``*_inclusive`` flag is then ``True`` (the canonical form).

Text form (column ``rule_params`` of the criteria sheet)
-------------------------------------------------------
General:

- Items are separated by ``;`` or a line break; blanks around items and tokens are ignored,
  empty items are skipped. Empty text means "no parameters".
- A number is a decimal written with ``.`` or ``,`` as the decimal mark (``0.5`` = ``0,5``),
  no thousands separator (``cchc_portal.core.numbers.parse_decimal(grouping=False)``). Text
  is read in Unicode NFC. Messages shown to people write numbers the Vietnamese way (``0,5``).

Per rule::

    manual, bonus, penalty, imported   ""  |  "step=<number>"         e.g. step=0.25
    ratio                              ""  |  "target=<number>"       e.g. target=100
    bands, ratio (extra item)          "over=cap" | "over=refuse"     e.g. target=100; over=refuse
    deduction                          "per=<number>"                 e.g. per=0.5
    survey, sum                        ""
    levels                             <label>=<points> { ";" <label>=<points> }
                                       e.g. Đúng hạn=1; Trễ hạn=0.5; Không ban hành=0
    bands                              <range>:<points> { ";" <range>:<points> }
                                       e.g. >90:2; 70-90:1; <70:0
                                            =100:2; 80-<100:1; <80:0

Keys (``step``, ``target``, ``per``) are case-insensitive. A level label is any text without
``;``, ``=`` or a line break (blanks inside are collapsed to one space).

A band range is written with non-negative numbers a ≤ b (percentages); ``-`` always separates
the two ends of a range (numbers are never negative), ``%`` after a number is ignored, ``≥``
and ``≤`` read as ``>=`` and ``<=``, and an en or em dash reads as ``-``:

==========  ============  ==========================================
text        interval      meaning
==========  ============  ==========================================
``>a``      (a, +∞)       above a
``>=a``     [a, +∞)       a or above
``<b``      [0, b)        below b
``<=b``     [0, b]        b or below
``=a``      [a, a]        exactly a (``a`` alone means the same)
``a-b``     [a, b]        from a to b, BOTH ends included
``a-<b``    [a, b)        from a, up to but not including b
``>a-b``    (a, b]        above a, up to and including b
``>a-<b``   (a, b)        strictly between a and b
==========  ============  ==========================================

``>=a-b`` and ``a-<=b`` are accepted as explicit spellings of the included ends. So
``>90:2; 70-90:1; <70:0`` gives 2 points above 90 %, 1 point from 70 % to 90 % inclusive
(90 % itself scores 1) and 0 below 70 %; ``=100:2; 80-<100:1; <80:0`` gives 2 only at 100 %,
1 from 80 % up to but not including 100 %.

Bands must not overlap anywhere and must cover every percentage from 0 to 100 (checked by
``validate_params``).

``format_params`` writes the canonical text (items joined by ``"; "``, ``.`` as the decimal
mark, numbers without trailing zeros, inclusive ends left implicit), and
``parse_params(rule, format_params(rule, p)) == p`` for every canonical ``p`` (what
``parse_params`` returns). The only band with no text form is one unbounded on both sides; it
is written ``>=0``, which means the same for percentages.

Modules (import the one you need): ``kinds`` (the rule kinds, typed params, errors),
``text`` (the text form: ``parse_params``, ``format_params``), ``validation``
(``validate_params``) and ``inputs`` (``clean_input``: an agency's input).
"""
