-- ISO 4217 minor units, one row per currency code: the exponent that turns minor units into
-- major units (USD 2, JPY 0, KWD 3). Reference data seeded from
-- shared/metrics/iso4217_minor_units.yaml (with its source and date) by the warehouse adapters
-- and by terraform; a code that is not here has no minor unit. Too small to partition.
CREATE TABLE IF NOT EXISTS reachops.ref_currency_minor_units (
  currency STRING NOT NULL,
  minor_units INT64 NOT NULL
)
OPTIONS (description = 'ISO 4217 exponents (seeded from shared/metrics/iso4217_minor_units.yaml).');
