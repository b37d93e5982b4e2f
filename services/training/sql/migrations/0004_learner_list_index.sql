-- ListLearners pages through one county's learners by (enrol_time, learner_id): an index led by
-- the county lets every page, however deep, start at its key. The index on (enrol_time,
-- learner_id) alone served no query once the list filters by county in the index.
CREATE INDEX learners_lan_enrol_idx ON learners (lanskod, enrol_time, learner_id);
DROP INDEX learners_enrol_idx;
