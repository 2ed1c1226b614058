"""CCHC articles per province and period, over a period the analyst chooses (the saved query
``per_province_month``; crawler/web/templates/query.html draws it as a shaded table, provinces down, periods across).

The query takes three parameters, each optional:

- ``from`` / ``to``: ``YYYY-MM`` or ``YYYY`` (a year starts in January and ends in December); by default the
  first and the last month of a CCHC article in the database, so every article counts;
- ``per``: ``month``, ``quarter`` or ``year``; by default months for a period of up to 24 months, quarters up to
  72 months, years beyond, so that the table stays about two dozen columns wide.

A value that is not a month is ignored (the default applies) and from/to given the wrong way round are swapped:
the page always answers. It returns one row per province and period, zeros included, every registered province
a row (tidy data: CSV and JSON load as they are into a spreadsheet's pivot table, pandas or R), with the first
and last month of each period for the links to the articles counted.
"""
from __future__ import annotations

GRANULARITIES = ("month", "quarter", "year")
MONTHS_BY_MONTH = 24  # the default granularity: months up to this many months ...
MONTHS_BY_QUARTER = 72  # ... quarters up to this many (24 columns), years beyond

_MONTH = "'[0-9][0-9][0-9][0-9]-[0-1][0-9]'"
_YEAR = "'[0-9][0-9][0-9][0-9]'"

PROVINCE_PERIODS = f"""with recursive
span as (
  select min(published_month) as first, max(published_month) as last
  from articles where cchc = 1 and published_month is not null),
asked as (
  select case when :from glob {_YEAR} then :from || '-01'
              when :from glob {_MONTH} and substr(:from, 6) between '01' and '12' then :from end as lo,
         case when :to glob {_YEAR} then :to || '-12'
              when :to glob {_MONTH} and substr(:to, 6) between '01' and '12' then :to end as hi),
chosen as (
  select coalesce(a.lo, s.first, strftime('%Y-%m', 'now')) as lo, coalesce(a.hi, s.last, strftime('%Y-%m', 'now')) as hi
  from asked a, span s),
bounds as (select min(lo, hi) as lo, max(lo, hi) as hi from chosen),
months(month) as (
  select lo from bounds
  union all
  select strftime('%Y-%m', month || '-01', '+1 month') from months, bounds where month < bounds.hi),
grain as (
  select case when :per in {GRANULARITIES!r} then :per
              when (select count(*) from months) <= {MONTHS_BY_MONTH} then 'month'
              when (select count(*) from months) <= {MONTHS_BY_QUARTER} then 'quarter'
              else 'year' end as per),
periods as (
  select m.month, case g.per when 'year' then substr(m.month, 1, 4)
                             when 'quarter' then substr(m.month, 1, 4) || '-Q' || ((cast(substr(m.month, 6, 2) as integer) + 2) / 3)
                             else m.month end as period
  from months m, grain g),
provinces as (
  select province from sites where province is not null
  union select province from articles where province is not null),
counts as (
  select province, published_month as month, count(*) as n
  from articles
  where cchc = 1 and published_month between (select lo from bounds) and (select hi from bounds)
  group by province, published_month)
select p.province, pe.period, (select per from grain) as per, min(pe.month) as first_month,
       max(pe.month) as last_month, coalesce(sum(c.n), 0) as articles
from provinces p cross join periods pe
left join counts c on c.province = p.province and c.month = pe.month
group by p.province, pe.period
order by p.province, pe.period"""
