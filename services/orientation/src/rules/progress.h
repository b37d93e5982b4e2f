// Sessions and progress of civic orientation: a session's minutes per theme, and what an
// enrolment's attendance adds up to (minutes per theme, start, completion at 100 hours with all
// eight themes). Minutes are whole numbers, so fractional hours add up exactly. Pure.
#pragma once

#include <array>
#include <optional>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "lansstyrelsen/integration/orientation/v1/resources.pb.h"

namespace integration::orientation {

namespace v1 = ::lansstyrelsen::integration::orientation::v1;

inline constexpr int kThemeCount = 8;
// At least 100 hours (förordning 2010:1138 § 3).
inline constexpr int64_t kCompletionMinutes = 100 * 60;
// A session lasts 1 minute to 10 hours.
inline constexpr int kMaxSessionMinutes = 600;

// The session's themes: each a real theme at most once, each at least 1 minute, 1-600 minutes
// in total. INVALID_ARGUMENT with a violation per problem under `field` ("session.themes").
absl::Status CheckSessionThemes(const v1::Session& session, std::string_view field);
// The sum of the session's theme minutes.
int SessionMinutes(const v1::Session& session);

// One attendance line of an enrolment, with its session as it stands.
struct AttendedSession {
  absl::CivilDay date;
  bool cancelled = false;
  v1::AttendanceStatus status = v1::ATTENDANCE_STATUS_UNSPECIFIED;
  std::vector<v1::ThemeMinutes> themes;
};

struct Progress {
  int64_t attended_minutes = 0;
  // Minutes by theme, index theme - 1.
  std::array<int64_t, kThemeCount> theme_minutes{};
  // The first session attended (present).
  std::optional<absl::CivilDay> start_date;
  // The session at which the attended minutes reached 100 hours with every theme covered.
  std::optional<absl::CivilDay> completion_date;

  bool completed() const { return completion_date.has_value(); }
  // The themes with minutes, in theme order.
  std::vector<v1::ThemeMinutes> ThemeList() const;
};

// Adds up `sessions` in date order: only PRESENT at sessions that are not cancelled counts.
Progress ComputeProgress(std::vector<AttendedSession> sessions);

}  // namespace integration::orientation
