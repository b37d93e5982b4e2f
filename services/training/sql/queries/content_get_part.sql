-- One part ($1), in the columns of the part_row view (migration 0005), which
-- content_repository.cc ToPartRow reads by name (module_count or published_module_count).
SELECT * FROM part_row WHERE part_id = $1
