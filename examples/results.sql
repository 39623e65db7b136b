-- Reading Panopticon's results store (panopticon-results/results.duckdb) with DuckDB.
-- The python `duckdb` package or the DuckDB CLI runs these as they are.

-- Runs, newest first.
SELECT run_id, model, preset, seed, steps, agents, status, wall_seconds
FROM runs ORDER BY started_at DESC;

-- The latest regime run's daily series of protesters and legitimacy.
SELECT tick,
       max(value) FILTER (metric = 'active') AS protesters,
       max(value) FILTER (metric = 'legitimacy_mean') AS legitimacy
FROM metrics
WHERE run_id = (SELECT run_id FROM runs WHERE status = 'complete' AND model = 'regime' ORDER BY started_at DESC LIMIT 1)
  AND key = '' AND metric IN ('active', 'legitimacy_mean')
GROUP BY tick ORDER BY tick;

-- Stability beside harm for every complete regime run: yearly totals of daily flows.
SELECT r.preset, r.run_id,
       avg(m.value) FILTER (m.metric = 'active') AS mean_protesters,
       sum(m.value) FILTER (m.metric = 'detentions_reactive' AND m.tick > 0) AS arrests,
       sum(m.value) FILTER (m.metric = 'preemptive_false' AND m.tick > 0) AS false_preemptive_detentions,
       sum(m.value) FILTER (m.metric = 'false_camera' AND m.tick > 0) AS false_matches,
       sum(m.value) FILTER (m.metric = 'blacklist_entries' AND m.tick > 0) AS blacklistings
FROM runs r JOIN metrics m USING (run_id)
WHERE r.model = 'regime' AND r.status = 'complete' AND m.key = ''
GROUP BY r.preset, r.run_id ORDER BY r.preset;

-- Disparate impact at the end of each regime run: group rate ÷ reference-group rate.
SELECT m.run_id, m.metric, m.key, m.value
FROM metrics m JOIN runs r USING (run_id)
WHERE r.model = 'regime' AND m.metric LIKE 'disparity_%' AND m.tick = r.steps
ORDER BY m.run_id, m.metric, m.key;
