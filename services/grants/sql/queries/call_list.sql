-- A page of calls, newest opening first (keyset on open_time, call_id). Filters, '' = any:
-- $1 programme id, $2 länskod, $4 effective state ('OPEN' means stored OPEN before its close
-- time, 'CLOSED' includes stored OPEN past it; $5 now in µs). Drafts only of the county $3 (''
-- for callers without a county role). $6 whether a key is given, $7/$8 the last row's open time
-- (µs) and id; $9 the row limit. Columns of call_row (call_repository.cc CallFromRow).
SELECT *
  FROM call_row
 WHERE ($1 = '' OR programme_id = $1)
   AND ($2 = '' OR lanskod::text = $2)
   AND (state <> 'DRAFT' OR lanskod::text = $3)
   AND ($4 = '' OR
        (CASE WHEN state = 'OPEN'
                   AND close_time <= timestamptz 'epoch' + $5::bigint * interval '1 microsecond'
              THEN 'CLOSED' ELSE state END) = $4)
   AND (NOT $6::boolean OR
        (open_time, call_id) <
          (timestamptz 'epoch' + $7::bigint * interval '1 microsecond', $8::bigint))
 ORDER BY open_time DESC, call_id DESC
 LIMIT $9::int
