// A SQL file embedded into a binary at build time (cmake integration_embed_sql).
#pragma once

namespace integration::pg {

struct SqlFile {
  const char* name;  // file stem: "0001_init" for migrations, "get_course" for a query
  const char* text;
};

}  // namespace integration::pg
