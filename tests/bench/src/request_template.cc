// Request templates: parsing "{{...}}" placeholders once, rendering them per request.
#include "request_template.h"

#include <boost/uuid/random_generator.hpp>
#include <boost/uuid/uuid_io.hpp>
#include <algorithm>
#include <cstdio>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "string_util.h"

namespace integration::bench {

std::string RandomUuid(std::mt19937_64& rng) {
  // Drawn from the caller's generator (not the system CSPRNG like integration::text::NewUuid):
  // load runs need many ids fast, and they need not be unguessable.
  return boost::uuids::to_string(boost::uuids::basic_random_generator<std::mt19937_64>(rng)());
}

std::string RandomRunId() {
  std::random_device device;
  char buf[9];
  std::snprintf(buf, sizeof(buf), "%08x", static_cast<unsigned>(device()));
  return buf;
}

absl::StatusOr<RequestTemplate> RequestTemplate::Parse(std::string_view text) {
  RequestTemplate t;
  std::string literal;
  size_t i = 0;
  while (i < text.size()) {
    const size_t open = text.find("{{", i);
    if (open == std::string_view::npos) {
      literal.append(text.substr(i));
      break;
    }
    literal.append(text.substr(i, open - i));
    const size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("template: \"{{\" at offset ", open, " is never closed by \"}}\""));
    }
    const std::string_view name = text.substr(open + 2, close - open - 2);
    Part part{Kind::kLiteral, "", 0};
    if (name == "seq") {
      part.kind = Kind::kSeq;
    } else if (name.starts_with("seq:")) {
      part.kind = Kind::kSeq;
      if (!absl::SimpleAtoi(Av(name.substr(4)), &part.bound) || part.bound == 0 ||
          part.bound > 20) {
        return absl::InvalidArgumentError(absl::StrCat(
            "template: {{", Av(name), "}} needs a width W from 1 to 20, e.g. {{seq:8}}"));
      }
      if (part.bound < 20) {
        uint64_t limit = 1;
        for (uint64_t i = 0; i < part.bound; ++i) limit *= 10;
        t.max_seq_ = std::min(t.max_seq_, limit - 1);
      }
    } else if (name == "uuid") {
      part.kind = Kind::kUuid;
      t.uses_uuid_ = true;
    } else if (name == "run") {
      part.kind = Kind::kRun;
    } else if (name.starts_with("rand:")) {
      part.kind = Kind::kRand;
      if (!absl::SimpleAtoi(Av(name.substr(5)), &part.bound) || part.bound == 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("template: {{", Av(name), "}} needs a bound N >= 1, e.g. {{rand:100}}"));
      }
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("template: unknown placeholder {{", Av(name),
                       "}} (known: {{seq}}, {{seq:W}}, {{uuid}}, {{run}}, {{rand:N}})"));
    }
    if (!literal.empty()) {
      t.parts_.push_back(Part{Kind::kLiteral, std::move(literal), 0});
      literal.clear();
    }
    t.parts_.push_back(std::move(part));
    t.constant_ = false;
    i = close + 2;
  }
  if (!literal.empty()) t.parts_.push_back(Part{Kind::kLiteral, std::move(literal), 0});
  return t;
}

std::string RequestTemplate::Render(const RequestVars& vars) const {
  std::string out;
  for (const Part& p : parts_) {
    switch (p.kind) {
      case Kind::kLiteral:
        out.append(p.literal);
        break;
      case Kind::kSeq: {
        const std::string digits = absl::StrCat(vars.seq);
        if (digits.size() < p.bound) out.append(p.bound - digits.size(), '0');
        out.append(digits);
        break;
      }
      case Kind::kUuid:
        out.append(vars.uuid);
        break;
      case Kind::kRun:
        out.append(vars.run);
        break;
      case Kind::kRand: {
        std::uniform_int_distribution<uint64_t> dist(0, p.bound - 1);
        absl::StrAppend(&out, vars.rng != nullptr ? dist(*vars.rng) : 0);
        break;
      }
    }
  }
  return out;
}

}  // namespace integration::bench
