// CheckRequestText: control characters in string fields at any depth, one-line versus
// multi-line fields, bytes fields left alone, the field paths named in the violations.
#include "integration/grpc/request_text.h"

#include <string>

#include "gtest/gtest.h"
#include "integration/grpc/names.h"  // first: see there
#include "integration/status/status.h"
#include "lansstyrelsen/integration/echo/v1/echo.pb.h"

namespace integration::grpc {
namespace {

namespace echo = ::lansstyrelsen::integration::echo::v1;
using namespace std::string_literals;

// The field paths of the violations, in order.
std::vector<std::string> Fields(const absl::Status& status) {
  std::vector<std::string> fields;
  if (auto bad = status::GetBadRequest(status)) {
    for (const auto& v : bad->field_violations()) fields.push_back(v.field());
  }
  return fields;
}

TEST(RequestTextTest, PlainTextAndEmptyRequestsPass) {
  echo::EchoRequest req;
  EXPECT_TRUE(CheckRequestText(req).ok());
  req.set_message("Hej, Åsa! Ärende 851-12-2026 — «citat» 😀");
  req.set_note("Rad ett\nRad två\r\n\tindraget");
  req.add_parts()->set_label("Del 1");
  EXPECT_TRUE(CheckRequestText(req).ok());
}

TEST(RequestTextTest, NulInAOneLineFieldIsRefusedAndNamed) {
  echo::EchoRequest req;
  req.set_message("a\0b"s);
  absl::Status st = CheckRequestText(req);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  auto info = status::GetErrorInfo(st);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "INVALID_FIELD");
  EXPECT_EQ(Fields(st), std::vector<std::string>{"message"});
  auto bad = status::GetBadRequest(st);
  EXPECT_NE(bad->field_violations(0).description().find("U+0000"), std::string::npos);
}

TEST(RequestTextTest, LineBreaksAndTabsOnlyInMultilineFields) {
  for (const std::string& control : {"\n"s, "\r"s, "\t"s}) {
    echo::EchoRequest one_line;
    one_line.set_message("a" + control + "b");
    EXPECT_EQ(Fields(CheckRequestText(one_line)), std::vector<std::string>{"message"});
    echo::EchoRequest multi;
    multi.set_note("a" + control + "b");
    EXPECT_TRUE(CheckRequestText(multi).ok());
  }
}

TEST(RequestTextTest, OtherControlsAreRefusedEvenInMultilineFields) {
  for (const std::string& control : {"\0"s, "\x01"s, "\x1b"s, "\x1f"s, "\x7f"s, "\xc2\x80"s,
                                    "\xc2\x9f"s}) {
    echo::EchoRequest req;
    req.set_note("text" + control);
    EXPECT_EQ(Fields(CheckRequestText(req)), std::vector<std::string>{"note"}) << int(control[0]);
  }
  // U+00A0 (C2 A0) is a no-break space, not a control character.
  echo::EchoRequest nbsp;
  nbsp.set_message("100\xc2\xa0kr");
  EXPECT_TRUE(CheckRequestText(nbsp).ok());
}

TEST(RequestTextTest, NestedAndRepeatedFieldsAreNamedByPath) {
  echo::EchoRequest req;
  req.add_parts()->set_label("fine");
  echo::EchoPart* second = req.add_parts();
  second->set_label("bad\x07");
  second->add_tags("ok");
  second->add_tags("also\nbad");
  req.set_message("x\x00"s);
  EXPECT_EQ(Fields(CheckRequestText(req)),
            (std::vector<std::string>{"message", "parts[1].label", "parts[1].tags[1]"}));
}

TEST(RequestTextTest, BytesFieldsAreNotText) {
  echo::EchoRequest req;
  req.set_payload("\0\x01\n\xff"s);
  EXPECT_TRUE(CheckRequestText(req).ok());
}

}  // namespace
}  // namespace integration::grpc
