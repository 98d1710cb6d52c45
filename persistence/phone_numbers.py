"""Phone numbers as people and trunks write them: one cleaning rule, and the forms one phone is stored in.

A call list's cell, the callbacks API and the call register's search read a number as people type it
("+34 600-12-34-56", "(600) 123 456"); trunks write the international prefix as "+" or as "00", so "0034600..." and
"+34600..." ring the same phone. The number dialled stays as it was written: these forms are for comparing.

With a default country (`IVRGRAPH_DEFAULT_COUNTRY`, an ISO 3166 code, set at start by `configure_default_country`),
a national number is the same phone as its international form too: in Russia "89161234567" (the trunk prefix 8) is
"+79161234567", in Spain "600123456" is "+34600123456", in the UK "07911123456" is "+447911123456". Callers arrive
from trunks in either form and a CRM's list is typed nationally, while the API is given E.164. Google's
libphonenumber (`phonenumbers`) reads the national forms; a number it cannot read, or finds no valid number of the
country's calling code, is compared as before: nothing is guessed. Unset, numbers compare exactly as they always did.

The country is a process-wide value, as the log's phone-number mode is (`agi_server.logs`): `ivrgraph serve`
(through `api.app.create_app`) and `ivrgraph agi` set it once at start from the same variable, and every comparison
of the call register, the callback jobs, the dialer and the call lists reads it, without it being passed through
each of their functions.

An emergency number (112, 911, Russia's 01) is never dialled, whoever asked: a call list's row, the API, a
spoofed CallerID asking the Callback block for a callback (`is_emergency_number`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Final

import phonenumbers

from persistence.pattern_prefixes import begins_a_match

DEFAULT_COUNTRY_ENV: Final = "IVRGRAPH_DEFAULT_COUNTRY"

_NUMBER: Final = re.compile(r"\+?[0-9]{2,20}")
_DIGITS: Final = re.compile(r"[0-9]+")
# A spreadsheet's mark for "this cell is text", which `phone_number` drops (see there).
_TEXT_MARK: Final = "'"
# What people type between a number's digits.
_TYPED_BY_PEOPLE: Final = str.maketrans("", "", " -().\u00a0/")
# How a number written without any international prefix was read: as a national number of the country (with or
# without its trunk prefix), or starting with the country's own calling code without the "+" (a Russian CRM's
# "79161234567", an American "12015550123"). A number written with the country's international prefix (8 10 in
# Russia, 011 in the US) is neither, and keeps its form as written.
_WRITTEN_NATIONALLY: Final = frozenset(
    {
        phonenumbers.CountryCodeSource.FROM_DEFAULT_COUNTRY,
        phonenumbers.CountryCodeSource.FROM_NUMBER_WITHOUT_PLUS_SIGN,
    }
)

# Emergency numbers are 2 to 6 digits in every region of libphonenumber's short-number metadata (the
# `possible_length` of each region's `emergency` numbers: France's 15 and Russia's 01 have two, Niger's 723141 six);
# a longer number never equals one, so it is not looked up at all (tests/persistence/test_emergency_numbers.py).
_EMERGENCY_LENGTHS: Final = range(2, 7)

# The default country `configure_default_country` set: the process's (see the module docstring).
_default_country: str | None = None


def phone_number(value: object) -> str | None:
    """The dialable number in a cell as people type it ("+34 600-12-34-56", "(600) 123 456"), or None.

    One leading apostrophe is dropped: ivrgraph's own CSV reports write "'+7 (495) 123-45-67" for a cell that starts
    with "+" (`api.csv_export.csv_cell`, so that a spreadsheet never runs it as a formula), and a campaign's report
    uploaded back as a list ("call the unreached again") must read as the list it came from. Excel users type the
    same mark to keep a number as text. Only one: "''+7..." is not how either writes a number."""
    if isinstance(value, bool) or isinstance(value, float):
        return None
    number = str(value).removeprefix(_TEXT_MARK).translate(_TYPED_BY_PEOPLE)
    return number if _NUMBER.fullmatch(number) else None


# How libphonenumber finds a number no phone (`impossible_number`): by its lengths, or already when parsing it
# (NOT_A_NUMBER is not among those: `phone_number` kept digits only).
_IMPOSSIBLE: Final = {
    phonenumbers.ValidationResult.TOO_SHORT: "too_short",
    phonenumbers.ValidationResult.TOO_LONG: "too_long",
    phonenumbers.ValidationResult.INVALID_LENGTH: "invalid_length",
    phonenumbers.ValidationResult.INVALID_COUNTRY_CODE: "unknown_country_code",
}


_UNPARSED: Final = {
    phonenumbers.NumberParseException.INVALID_COUNTRY_CODE: "unknown_country_code",
    phonenumbers.NumberParseException.TOO_SHORT_NSN: "too_short",
    phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD: "too_short",
    phonenumbers.NumberParseException.TOO_LONG: "too_long",
}


def impossible_number(number: str, *, extensions: bool = True) -> str | None:
    """Why `number` (as `phone_number` gives it) can be no phone, as libphonenumber's lengths have it: "too_short",
    "too_long", "invalid_length" or "unknown_country_code"; None when it may be one, or is not checked.

    Checked: a number written with "+" (its country code says which plan it is of: "+7 912 345 67 8" has nine digits
    where Russia's numbers have ten), and, with a default country, a number written without an international prefix
    that is longer than any number dialled there without an area code (six digits, the longest short and emergency
    numbers and most PBX extensions, and the country's local-only lengths, Russia's seven): such a number is meant
    as a national one, and one too short for any is a typo ("8 912 345 67"). A shorter one is checked too where
    the country's numbers are always dialled whole (`_cut_short`: Spain's "600 11" is a mobile number cut short,
    not a service number such as 112, 1004 or 016). Not checked: other short numbers and internal extensions (a
    PBX dials them), a number written "00..." (in a German PBX "0" takes an outside line, so "0030123456" is
    Berlin's 030 123456, no Greek number) and, nationally written, a number too long: a PBX's prefix for an
    outside line ("9") may stand before it.

    Lengths, not `is_valid_number`'s ranges: a range assigned after the installed metadata was built would be refused
    as invalid, and a client's real number never called; a wrong length is a typo in every release. So a typo that
    keeps a possible length passes ("8 912 345 67 8" reads as a ten-digit number starting 891).

    `extensions=False`: short numbers written nationally are checked too, for a number nobody chose: a caller's
    CallerID the Callback block would call back (persistence.callbacks.refused_number). There "123" is the caller's
    extension or a truncated number, not where the dialer's trunk reaches them; a list's or an integration's short
    number was written on purpose."""
    if number.startswith("+"):
        return _impossible(number, None)
    if _default_country is None or number.startswith("00"):
        return None
    if extensions and len(number) <= _longest_without_area_code(_default_country):
        return "too_short" if _cut_short(number, _default_country) else None
    reason = _impossible(number, _default_country)
    return reason if reason == "too_short" else None


@lru_cache(maxsize=4096)
def _impossible(number: str, region: str | None) -> str | None:
    """Why `number`, read as libphonenumber reads it in `region` (None: it starts with "+"), is no phone, or None."""
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException as error:
        return _UNPARSED.get(error.error_type)
    return _IMPOSSIBLE.get(phonenumbers.is_possible_number_with_reason(parsed))


@lru_cache(maxsize=4096)
def _cut_short(number: str, region: str) -> bool:
    """Whether `number`, short and written without an international prefix, is a national number of `region` cut
    short (review of a Spanish bank: "600 11" passed a debt campaign's check and a stranger was rung), as far as
    libphonenumber's metadata can say:

    - `region` dials every number whole (no local-only lengths in its plan: Spain, France, Italy...). Where a
      number may be dialled without its area code (Russia, the US), a short one may be a local subscriber's;
    - `number` is too short for any number of `region` (`_impossible`), and no short number libphonenumber knows
      of it (`is_valid_short_number_for_region`: 112, 1004, 016, 091, 010...);
    - it begins as `region`'s numbers do, written nationally: after the trunk prefix where the country has one
      (France's "06 12 3"), from its first digit where it has none (Spain's 6 and 7 for mobiles, 8 and 9 for
      fixed lines). "2045" begins no Spanish number: a PBX's extension, dialled as such.

    Unknown (no short-number metadata for the region, a pattern `begins_a_match` cannot follow): False, as
    before."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if metadata is None or metadata.general_desc is None or region not in phonenumbers.SUPPORTED_SHORT_REGIONS:
        return False
    if metadata.general_desc.possible_length_local_only or _impossible(number, region) != "too_short":
        return False
    try:
        if phonenumbers.shortnumberinfo.is_valid_short_number_for_region(phonenumbers.parse(number, region), region):
            return False
    except phonenumbers.NumberParseException:
        return False
    trunk_prefix = metadata.national_prefix or ""
    if not number.startswith(trunk_prefix):
        return False
    significant = number[len(trunk_prefix) :]
    pattern = metadata.general_desc.national_number_pattern
    return bool(significant) and pattern is not None and begins_a_match(pattern, significant) is True


@lru_cache(maxsize=256)
def _longest_without_area_code(region: str) -> int:
    """The most digits a number dialled in `region` without its area code has: its local-only numbers, and six (the
    longest short and emergency numbers, `_EMERGENCY_LENGTHS`, and a PBX's extensions)."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    local = metadata.general_desc.possible_length_local_only if metadata and metadata.general_desc else ()
    return max((_EMERGENCY_LENGTHS[-1], *local))


def is_emergency_number(number: str) -> bool:
    """Whether `number`, as written (what people type between its digits dropped), is an emergency number of the
    default country, or, without one (or with one whose short numbers libphonenumber does not know: IO, GQ, TA, TK),
    of any region it knows them for: what a trunk may connect to the emergency services, so it is never dialled.

    An exact match (`is_emergency_number`), not a prefix one (`connects_to_emergency_number`): the whole number
    is what the dialer sends, and with every region in play a prefix match would refuse ordinary numbers (Russia's
    01 begins every Paris number written nationally, "01 23 45 67 89"). A number written with "+" is never one, as
    libphonenumber has it: "+34 112" is no emergency call (dialling a country code before one is not believed to
    connect)."""
    digits = number.translate(_TYPED_BY_PEOPLE)
    if len(digits) not in _EMERGENCY_LENGTHS or not _DIGITS.fullmatch(digits):
        return False
    return _emergency(digits, _default_country)


@lru_cache(maxsize=1024)  # a list's 20,000 rows, the dialer's passes: one look-up per short number and country
def _emergency(digits: str, region: str | None) -> bool:
    """Whether `digits` (2 to 6 of them) are an emergency number of `region`, or of any region for None. The first
    look-up loads the short-number metadata (about 60 ms)."""
    regions = (region,) if region in phonenumbers.SUPPORTED_SHORT_REGIONS else phonenumbers.SUPPORTED_SHORT_REGIONS
    return any(phonenumbers.shortnumberinfo.is_emergency_number(digits, each) for each in regions)


def default_country(environ: Mapping[str, str] | None = None) -> str | None:
    """`IVRGRAPH_DEFAULT_COUNTRY` as an ISO 3166 region code (upper case), None when it is not set; ValueError
    naming the variable for a code libphonenumber knows no numbering plan of."""
    env = os.environ if environ is None else environ
    text = env.get(DEFAULT_COUNTRY_ENV, "").strip()
    if not text:
        return None
    if text.upper() not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(f"{DEFAULT_COUNTRY_ENV}={text!r}: expected a country's ISO 3166 code such as RU, ES, GB or US")
    return text.upper()


def configure_default_country(region: str | None) -> None:
    """Compare national numbers as numbers of `region` from now on, in this whole process (None: as written)."""
    global _default_country
    if region is not None and region not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(f"{DEFAULT_COUNTRY_ENV}={region!r}: expected a country's ISO 3166 code such as RU or ES")
    _default_country = region


def configured_default_country() -> str | None:
    """The default country numbers are compared in (`configure_default_country`), None when there is none."""
    return _default_country


def one_form(number: str) -> str:
    """The number as one phone is compared: its international prefix written "+" (0034... is +34...); with a
    default country, a national number of it in E.164 (in Russia 89161234567 is +79161234567)."""
    if number.startswith("00"):
        return "+" + number[2:]
    if _default_country is not None:
        return _e164_of_national(number, _default_country) or number
    return number


def written_forms(number: str) -> set[str]:
    """The ways a row may hold `number`: with its international prefix as "+" or as "00"; with a default country,
    as a number of that country is also written nationally ("89161234567", "9161234567" and "79161234567" for
    "+79161234567" in Russia). Each form is one `one_form` reads as this number's, so no other phone is found."""
    international = one_form(number)
    if not international.startswith("+"):
        return {number}
    forms = {number, international, "00" + international[1:]}
    if _default_country is not None:
        forms |= _national_forms(international, _default_country)
    return forms


@lru_cache(maxsize=4096)  # the dialer reads the same numbers on every pass
def _e164_of_national(number: str, region: str) -> str | None:
    """`number`, written without an international prefix, as libphonenumber reads it in `region`: its E.164 form
    when that is a valid number of the region's calling code, else None (not read, or not a number there)."""
    if not _DIGITS.fullmatch(number):
        return None
    try:
        parsed = phonenumbers.parse(number, region, keep_raw_input=True)
    except phonenumbers.NumberParseException:
        return None
    if parsed.country_code_source not in _WRITTEN_NATIONALLY:
        return None
    if parsed.country_code != phonenumbers.country_code_for_region(region) or not phonenumbers.is_valid_number(parsed):
        return None
    if not _one_phone_as_written(number, parsed, region):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _one_phone_as_written(number: str, parsed: phonenumbers.PhoneNumber, region: str) -> bool:
    """Whether `number`, as libphonenumber read it in `region` (`parsed`), is that one phone whoever wrote it.

    Written with the country's trunk prefix (89161234567, 030123456) it is. Without it (9161234567), or with the
    calling code but no "+" (79161234567), only where nothing else can be meant: in a country that has no trunk
    prefix (Spain, Italy: the whole number is always written), or one whose numbers all have one length (Russia,
    the US: ten digits). In Germany "30123456" may be Berlin's 030 123456 or a Munich subscriber dialled locally,
    and "4930123456" a local number too, so both are compared as written (security review, 2026-12-05)."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    trunk_prefix = metadata.national_prefix if metadata is not None else None
    if not trunk_prefix:
        return True
    significant = phonenumbers.national_significant_number(parsed)
    if parsed.country_code_source == phonenumbers.CountryCodeSource.FROM_DEFAULT_COUNTRY and number == (
        trunk_prefix + significant
    ):
        return True
    return len(significant) in _single_length(region)


@lru_cache(maxsize=256)
def _single_length(region: str) -> frozenset[int]:
    """The one length every fixed and mobile number of `region` has, or nothing when they differ."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if metadata is None or metadata.fixed_line is None or metadata.mobile is None:
        return frozenset()
    lengths = set(metadata.fixed_line.possible_length) | set(metadata.mobile.possible_length)
    return frozenset(lengths) if len(lengths) == 1 else frozenset()


@lru_cache(maxsize=4096)
def _national_forms(international: str, region: str) -> frozenset[str]:
    """How `international` ("+79161234567") is written in `region` without an international prefix, when it is a
    valid number of the region's calling code: with the trunk prefix ("89161234567"), without it ("9161234567"),
    and with the calling code but no "+" ("79161234567"). Only the forms `_e164_of_national` reads back as this
    number: "9161234567" would be kept out in a country where it named another phone."""
    try:
        parsed = phonenumbers.parse(international, None)
    except phonenumbers.NumberParseException:
        return frozenset()
    calling_code = phonenumbers.country_code_for_region(region)
    if parsed.country_code != calling_code or not phonenumbers.is_valid_number(parsed):
        return frozenset()
    significant = phonenumbers.national_significant_number(parsed)  # Italy's keeps its leading 0: "0612345678"
    trunk_prefix = phonenumbers.ndd_prefix_for_region(region, True) or ""
    candidates = {trunk_prefix + significant, significant, f"{calling_code}{significant}"}
    return frozenset(form for form in candidates if _e164_of_national(form, region) == international)
