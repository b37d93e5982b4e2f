-- The next version of a module's quiz (the module row is locked by the caller).
INSERT INTO quiz_versions (part_id, module_id, version, quiz, created_by)
VALUES ($1, $2,
        (SELECT coalesce(max(version), 0) + 1 FROM quiz_versions
          WHERE part_id = $1 AND module_id = $2),
        $3::bytea, $4)
RETURNING version, (extract(epoch FROM create_time) * 1000000)::bigint AS create_micros
