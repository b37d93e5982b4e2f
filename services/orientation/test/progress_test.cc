// Unit tests of the minutes arithmetic: fractional hours in minutes, themes per session,
// cancelled sessions and absences that add nothing, completion at 100 hours with all themes.
#include "rules/progress.h"

#include <vector>

#include "gtest/gtest.h"

namespace integration::orientation {
namespace {

std::vector<v1::ThemeMinutes> Themes(std::initializer_list<std::pair<v1::Theme, int>> items) {
  std::vector<v1::ThemeMinutes> out;
  for (const auto& [theme, minutes] : items) {
    v1::ThemeMinutes t;
    t.set_theme(theme);
    t.set_minutes(minutes);
    out.push_back(t);
  }
  return out;
}

AttendedSession Present(absl::CivilDay day, std::vector<v1::ThemeMinutes> themes) {
  return AttendedSession{day, false, v1::ATTENDANCE_STATUS_PRESENT, std::move(themes)};
}

TEST(ProgressTest, FractionalHoursAddUpExactlyPerTheme) {
  // 2.5 h + 1.75 h of health, 0.25 h of ageing.
  Progress p =
      ComputeProgress({Present(absl::CivilDay(2027, 2, 1), Themes({{v1::THEME_HEALTH, 150}})),
                       Present(absl::CivilDay(2027, 2, 8),
                               Themes({{v1::THEME_HEALTH, 105}, {v1::THEME_AGEING, 15}}))});
  EXPECT_EQ(p.attended_minutes, 270);
  EXPECT_EQ(p.theme_minutes[v1::THEME_HEALTH - 1], 255);
  EXPECT_EQ(p.theme_minutes[v1::THEME_AGEING - 1], 15);
  ASSERT_EQ(p.ThemeList().size(), 2u);
  EXPECT_EQ(p.ThemeList()[0].theme(), v1::THEME_HEALTH);
  EXPECT_EQ(p.start_date, absl::CivilDay(2027, 2, 1));
  EXPECT_FALSE(p.completed());
}

TEST(ProgressTest, CancelledSessionsAbsencesAndExcusesCountNothing) {
  AttendedSession cancelled =
      Present(absl::CivilDay(2027, 1, 10), Themes({{v1::THEME_HEALTH, 60}}));
  cancelled.cancelled = true;
  AttendedSession absent = Present(absl::CivilDay(2027, 1, 11), Themes({{v1::THEME_HEALTH, 60}}));
  absent.status = v1::ATTENDANCE_STATUS_ABSENT;
  AttendedSession excused = Present(absl::CivilDay(2027, 1, 12), Themes({{v1::THEME_HEALTH, 60}}));
  excused.status = v1::ATTENDANCE_STATUS_EXCUSED;
  Progress p = ComputeProgress(
      {cancelled, absent, excused,
       Present(absl::CivilDay(2027, 1, 13), Themes({{v1::THEME_INFLUENCING, 45}}))});
  EXPECT_EQ(p.attended_minutes, 45);
  EXPECT_EQ(p.theme_minutes[v1::THEME_HEALTH - 1], 0);
  // The start is the first session attended, not the first recorded.
  EXPECT_EQ(p.start_date, absl::CivilDay(2027, 1, 13));
}

// 25 sessions of 4 h over all eight themes in turn (30 min each): 100 h at the 25th.
std::vector<AttendedSession> HundredHours() {
  std::vector<AttendedSession> out;
  for (int i = 0; i < 25; ++i) {
    std::vector<v1::ThemeMinutes> themes;
    for (int t = 1; t <= kThemeCount; ++t) {
      v1::ThemeMinutes m;
      m.set_theme(static_cast<v1::Theme>(t));
      m.set_minutes(30);
      themes.push_back(m);
    }
    out.push_back(Present(absl::CivilDay(2027, 1, 1) + 7 * i, themes));
  }
  return out;
}

TEST(ProgressTest, CompletesAtOneHundredHoursWithEveryTheme) {
  std::vector<AttendedSession> sessions = HundredHours();
  // Recorded out of order: the arithmetic goes by date.
  std::swap(sessions.front(), sessions.back());
  Progress p = ComputeProgress(sessions);
  EXPECT_EQ(p.attended_minutes, kCompletionMinutes);
  ASSERT_TRUE(p.completed());
  EXPECT_EQ(*p.completion_date, absl::CivilDay(2027, 1, 1) + 7 * 24);
}

TEST(ProgressTest, OneMinuteShortOrACancelledSessionIsNotCompletion) {
  std::vector<AttendedSession> sessions = HundredHours();
  sessions.back().themes[0].set_minutes(29);
  EXPECT_FALSE(ComputeProgress(sessions).completed());
  sessions = HundredHours();
  sessions.back().cancelled = true;
  Progress p = ComputeProgress(sessions);
  EXPECT_EQ(p.attended_minutes, kCompletionMinutes - 240);
  EXPECT_FALSE(p.completed());
}

TEST(ProgressTest, ManyHoursWithoutEveryThemeIsNotCompletion) {
  std::vector<AttendedSession> sessions;
  for (int i = 0; i < 30; ++i) {
    sessions.push_back(
        Present(absl::CivilDay(2027, 1, 1) + i, Themes({{v1::THEME_COMING_TO_SWEDEN, 240}})));
  }
  Progress p = ComputeProgress(sessions);
  EXPECT_EQ(p.attended_minutes, 30 * 240);
  EXPECT_FALSE(p.completed());
  // The missing themes come later: completion on the day the last one is covered.
  sessions.push_back(
      Present(absl::CivilDay(2027, 3, 1), Themes({{v1::THEME_LIVING_IN_SWEDEN, 10},
                                                  {v1::THEME_SUPPORTING_YOURSELF, 10},
                                                  {v1::THEME_RIGHTS_AND_OBLIGATIONS, 10},
                                                  {v1::THEME_FAMILY_AND_CHILDREN, 10},
                                                  {v1::THEME_INFLUENCING, 10},
                                                  {v1::THEME_HEALTH, 10},
                                                  {v1::THEME_AGEING, 10}})));
  p = ComputeProgress(sessions);
  EXPECT_EQ(p.completion_date, absl::CivilDay(2027, 3, 1));
}

TEST(ProgressTest, SessionThemesAreChecked) {
  v1::Session session;
  EXPECT_FALSE(CheckSessionThemes(session, "session.themes").ok());
  for (const v1::ThemeMinutes& t : Themes({{v1::THEME_HEALTH, 90}, {v1::THEME_AGEING, 30}})) {
    *session.add_themes() = t;
  }
  EXPECT_TRUE(CheckSessionThemes(session, "session.themes").ok());
  EXPECT_EQ(SessionMinutes(session), 120);
  *session.add_themes() = Themes({{v1::THEME_HEALTH, 10}})[0];
  EXPECT_FALSE(CheckSessionThemes(session, "session.themes").ok()) << "a theme twice";
  session.clear_themes();
  *session.add_themes() = Themes({{v1::THEME_HEALTH, 0}})[0];
  EXPECT_FALSE(CheckSessionThemes(session, "session.themes").ok()) << "zero minutes";
  session.clear_themes();
  *session.add_themes() = Themes({{v1::THEME_HEALTH, 601}})[0];
  EXPECT_FALSE(CheckSessionThemes(session, "session.themes").ok()) << "over ten hours";
}

}  // namespace
}  // namespace integration::orientation
