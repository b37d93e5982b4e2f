// Validation of ids, resource names and course content (parts, modules, quizzes).
#include "rules/content_rules.h"

#include <map>
#include <set>
#include <string>
#include <vector>

#include "rules/diploma_rules.h"
#include "integration/status/status.h"

namespace integration::training {
namespace {

using integration::status::FieldErrors;

std::string Path(std::string_view base, std::string_view child) {
  std::string path(base);
  path.append(".").append(child);
  return path;
}

std::string Indexed(std::string_view base, std::string_view child, int index) {
  std::string path = Path(base, child);
  path.append("[").append(std::to_string(index)).append("]");
  return path;
}

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
  return text;
}

bool IsBlank(std::string_view text) { return Trim(text).empty(); }

bool IsDiplomaCode(std::string_view text) { return NormalizeCode(text).ok(); }

// Every training name: the reason its clients know, ids by the id rule.
names::PatternOptions IdOptions() {
  return {kReasonNameInvalid, IsValidId, "each id is 1-40 lower-case letters, digits or '-'"};
}

names::ResourcePattern Declare(std::string_view pattern) {
  return names::ResourcePattern::Declare(pattern, IdOptions());
}

// An https URL with a host and no whitespace or control characters.
bool IsHttpsUri(std::string_view uri) {
  constexpr std::string_view kScheme = "https://";
  if (uri.size() <= kScheme.size() || uri.size() > kMaxUriBytes) return false;
  for (size_t i = 0; i < kScheme.size(); ++i) {
    char c = uri[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kScheme[i]) return false;
  }
  for (char c : uri) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7f) return false;
  }
  std::string_view rest = uri.substr(kScheme.size());
  size_t host_end = rest.find_first_of("/?#");
  std::string_view host = rest.substr(0, host_end);
  return !host.empty() && host.front() != ':' && host.find('@') == std::string_view::npos;
}

void CheckText(FieldErrors& errors, std::string_view field, std::string_view text, size_t max_bytes,
               bool required) {
  if (required && IsBlank(text)) {
    errors.Add(field, "must not be empty");
  } else if (text.size() > max_bytes) {
    errors.Add(field, "must be at most " + std::to_string(max_bytes) + " bytes (is " +
                          std::to_string(text.size()) + ")");
  }
}

void CheckPosition(FieldErrors& errors, std::string_view field, int position) {
  if (position < 0) {
    errors.Add(field, "must be 1 or more (or 0 to place it last), is " + std::to_string(position));
  }
}

// Ids given by the admin: checked for the id rule and uniqueness. `used` collects them so that
// generated ids never collide with them.
void CheckGivenIds(FieldErrors& errors, const std::vector<std::string>& ids,
                   const std::vector<std::string>& fields, std::set<std::string>& used) {
  std::map<std::string, size_t> first;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i].empty()) continue;
    if (!IsValidId(ids[i])) {
      errors.Add(fields[i],
                 "must be 1-40 lower-case letters, digits or '-' (or empty to "
                 "have one generated)");
      continue;
    }
    auto [it, inserted] = first.emplace(ids[i], i);
    if (!inserted) {
      errors.Add(fields[i], "\"" + ids[i] + "\" is already used by " + fields[it->second]);
    }
    used.insert(ids[i]);
  }
}

// The id for the element at `index` when none was given: the natural one ("q3" for the third
// question, "c" for the third option) unless taken, else the first free one after the last
// natural candidate. `candidate(k)` yields the k-th natural id.
template <typename Candidate>
std::string FreshId(int index, int count, const std::set<std::string>& used, Candidate candidate) {
  std::string natural = candidate(index);
  if (!used.contains(natural)) return natural;
  for (int k = count;; ++k) {
    std::string id = candidate(k);
    if (!used.contains(id)) return id;
  }
}

std::string QuestionIdCandidate(int k) { return "q" + std::to_string(k + 1); }

// "a".."z", then "a1".."z1", … so that option ids stay short and readable.
std::string OptionIdCandidate(int k) {
  std::string id(1, static_cast<char>('a' + k % 26));
  if (k >= 26) id.append(std::to_string(k / 26));
  return id;
}

void CheckQuestion(FieldErrors& errors, std::string_view base, v1::QuizQuestion& question) {
  CheckText(errors, Path(base, "text"), question.text(), kMaxQuestionTextBytes, true);
  const bool single = question.kind() == v1::QUESTION_KIND_SINGLE_ANSWER;
  const bool multiple = question.kind() == v1::QUESTION_KIND_MULTIPLE_ANSWER;
  if (!single && !multiple) {
    errors.Add(Path(base, "kind"),
               "must be QUESTION_KIND_SINGLE_ANSWER or "
               "QUESTION_KIND_MULTIPLE_ANSWER");
  }
  const std::string options_field = Path(base, "options");
  const int count = question.options_size();
  if (count < kMinOptions || count > kMaxOptions) {
    errors.Add(options_field, "must have " + std::to_string(kMinOptions) + " to " +
                                  std::to_string(kMaxOptions) + " options (has " +
                                  std::to_string(count) + ")");
  }

  std::vector<std::string> ids, id_fields;
  std::map<std::string, int, std::less<>> first_text;
  int correct = 0;
  for (int j = 0; j < count; ++j) {
    const v1::QuizOption& option = question.options(j);
    const std::string option_base = Indexed(base, "options", j);
    const std::string text_field = Path(option_base, "text");
    CheckText(errors, text_field, option.text(), kMaxOptionTextBytes, true);
    std::string_view trimmed = Trim(option.text());
    if (!trimmed.empty()) {
      auto [it, inserted] = first_text.emplace(std::string(trimmed), j);
      if (!inserted) {
        errors.Add(text_field, "repeats the text of " + Indexed(base, "options", it->second) +
                                   "; options of a question must differ");
      }
    }
    if (option.correct()) ++correct;
    ids.push_back(option.option_id());
    id_fields.push_back(Path(option_base, "option_id"));
  }
  if (single && correct != 1) {
    errors.Add(options_field, "a single-answer question needs exactly one correct option (has " +
                                  std::to_string(correct) + ")");
  }
  if (multiple && correct < 1) {
    errors.Add(options_field, "a multiple-answer question needs at least one correct option");
  }

  std::set<std::string> used;
  CheckGivenIds(errors, ids, id_fields, used);
  for (int j = 0; j < count; ++j) {
    v1::QuizOption* option = question.mutable_options(j);
    if (!option->option_id().empty()) continue;
    std::string id = FreshId(j, kMaxOptions, used, OptionIdCandidate);
    used.insert(id);
    option->set_option_id(std::move(id));
  }
}

}  // namespace

bool IsValidId(std::string_view id) {
  if (id.empty() || id.size() > static_cast<size_t>(kMaxIdLength)) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) return false;
  }
  return true;
}

absl::Status ValidateId(std::string_view id, std::string_view field) {
  if (IsValidId(id)) return absl::OkStatus();
  return integration::status::InvalidField(
      field, "must be 1-40 characters of lower-case letters a-z, digits and '-'", kReasonIdInvalid);
}

const names::ResourcePattern& PartPattern() {
  static const names::ResourcePattern pattern = Declare("parts/{part}");
  return pattern;
}

const names::ResourcePattern& ModulePattern() {
  static const names::ResourcePattern pattern = Declare("parts/{part}/modules/{module}");
  return pattern;
}

const names::ResourcePattern& QuizPattern() {
  static const names::ResourcePattern pattern = Declare("parts/{part}/modules/{module}/quiz");
  return pattern;
}

const names::ResourcePattern& LearnerPattern() {
  static const names::ResourcePattern pattern = Declare("learners/{learner}");
  return pattern;
}

const names::ResourcePattern& ProgressPattern() {
  static const names::ResourcePattern pattern = Declare("learners/{learner}/progress");
  return pattern;
}

const names::ResourcePattern& AttemptPattern() {
  static const names::ResourcePattern pattern = Declare("learners/{learner}/attempts/{attempt}");
  return pattern;
}

const names::ResourcePattern& DiplomaPattern() {
  static const names::ResourcePattern pattern = [] {
    names::PatternOptions options = IdOptions();
    options.checks = {{"code", IsDiplomaCode}};
    options.hint =
        "{learner} is 1-40 lower-case letters, digits or '-' and {code} the diploma's "
        "26-character code";
    return names::ResourcePattern::Declare("learners/{learner}/diplomas/{code}", options);
  }();
  return pattern;
}

std::string PartName(std::string_view part_id) { return PartPattern().Format(part_id); }

std::string ModuleName(std::string_view part_id, std::string_view module_id) {
  return ModulePattern().Format(part_id, module_id);
}

std::string QuizName(std::string_view part_id, std::string_view module_id) {
  return QuizPattern().Format(part_id, module_id);
}

std::string LearnerName(std::string_view learner_id) {
  return LearnerPattern().Format(learner_id);
}

std::string ProgressName(std::string_view learner_id) {
  return ProgressPattern().Format(learner_id);
}

std::string AttemptName(std::string_view learner_id, std::string_view attempt_id) {
  return AttemptPattern().Format(learner_id, attempt_id);
}

std::string DiplomaName(std::string_view learner_id, std::string_view code) {
  return DiplomaPattern().Format(learner_id, code);
}

absl::StatusOr<std::string> ParsePartName(std::string_view name, std::string_view field) {
  absl::StatusOr<names::ResourceName> parsed = PartPattern().Parse(name, field);
  if (!parsed.ok()) return parsed.status();
  return std::string((*parsed)["part"]);
}

absl::StatusOr<ModuleRef> ParseModuleName(std::string_view name, std::string_view field) {
  absl::StatusOr<names::ResourceName> parsed = ModulePattern().Parse(name, field);
  if (!parsed.ok()) return parsed.status();
  return ModuleRef{std::string((*parsed)["part"]), std::string((*parsed)["module"])};
}

absl::StatusOr<ModuleRef> ParseQuizName(std::string_view name, std::string_view field) {
  absl::StatusOr<names::ResourceName> parsed = QuizPattern().Parse(name, field);
  if (!parsed.ok()) return parsed.status();
  return ModuleRef{std::string((*parsed)["part"]), std::string((*parsed)["module"])};
}

absl::StatusOr<std::string> ParseLearnerName(std::string_view name, std::string_view field) {
  absl::StatusOr<names::ResourceName> parsed = LearnerPattern().Parse(name, field);
  if (!parsed.ok()) return parsed.status();
  return std::string((*parsed)["learner"]);
}

absl::StatusOr<std::string> ParseProgressName(std::string_view name, std::string_view field) {
  absl::StatusOr<names::ResourceName> parsed = ProgressPattern().Parse(name, field);
  if (!parsed.ok()) return parsed.status();
  return std::string((*parsed)["learner"]);
}

absl::StatusOr<AttemptRef> ParseAttemptName(std::string_view name, std::string_view field) {
  absl::StatusOr<names::ResourceName> parsed = AttemptPattern().Parse(name, field);
  if (!parsed.ok()) return parsed.status();
  return AttemptRef{std::string((*parsed)["learner"]), std::string((*parsed)["attempt"])};
}

absl::StatusOr<DiplomaRef> ParseDiplomaName(std::string_view name, std::string_view field) {
  absl::StatusOr<names::ResourceName> parsed = DiplomaPattern().Parse(name, field);
  if (!parsed.ok()) return parsed.status();
  // The pattern's check accepted the code, so it normalises.
  absl::StatusOr<std::string> code = NormalizeCode((*parsed)["code"], field);
  if (!code.ok()) return code.status();
  return DiplomaRef{std::string((*parsed)["learner"]), *std::move(code)};
}

absl::Status ValidatePart(const v1::Part& part, std::string_view field) {
  FieldErrors errors;
  CheckText(errors, Path(field, "title"), part.title(), kMaxTitleBytes, true);
  CheckText(errors, Path(field, "description"), part.description(), kMaxDescriptionBytes, false);
  CheckPosition(errors, Path(field, "position"), part.position());
  return errors.ToStatus(kReasonPartInvalid);
}

absl::Status ValidateModule(const v1::Module& module, std::string_view field) {
  FieldErrors errors;
  CheckText(errors, Path(field, "title"), module.title(), kMaxTitleBytes, true);
  CheckText(errors, Path(field, "description"), module.description(), kMaxDescriptionBytes, false);
  CheckPosition(errors, Path(field, "position"), module.position());
  if (module.content_size() > kMaxContentItems) {
    errors.Add(Path(field, "content"), "must have at most " + std::to_string(kMaxContentItems) +
                                           " items (has " + std::to_string(module.content_size()) +
                                           ")");
  }
  for (int i = 0; i < module.content_size(); ++i) {
    const v1::ContentItem& item = module.content(i);
    const std::string base = Indexed(field, "content", i);
    const std::string uri_field = Path(base, "uri");
    CheckText(errors, Path(base, "title"), item.title(), kMaxTitleBytes, true);
    CheckText(errors, Path(base, "text"), item.text(), kMaxLectureTextBytes, false);
    if (!item.uri().empty() && !IsHttpsUri(item.uri())) {
      errors.Add(uri_field, "must be an https:// URL with a host and without spaces (at most " +
                                std::to_string(kMaxUriBytes) + " bytes)");
    }
    switch (item.kind()) {
      case v1::CONTENT_KIND_FILM:
        if (item.uri().empty()) errors.Add(uri_field, "a film needs the https:// URL of the film");
        break;
      case v1::CONTENT_KIND_LECTURE:
        if (item.uri().empty() && IsBlank(item.text())) {
          errors.Add(uri_field, "a lecture needs an https:// URL or its text");
        }
        break;
      default:
        errors.Add(Path(base, "kind"), "must be CONTENT_KIND_FILM or CONTENT_KIND_LECTURE");
    }
    if (item.duration_seconds() < 0) {
      errors.Add(Path(base, "duration_seconds"),
                 "must be 0 or more, is " + std::to_string(item.duration_seconds()));
    }
  }
  return errors.ToStatus(kReasonModuleInvalid);
}

absl::StatusOr<v1::Quiz> ValidateQuiz(const v1::Quiz& quiz, std::string_view field) {
  FieldErrors errors;
  v1::Quiz out = quiz;
  const int count = quiz.questions_size();
  if (count < 1 || count > kMaxQuestions) {
    errors.Add(Path(field, "questions"), "must have 1 to " + std::to_string(kMaxQuestions) +
                                             " questions (has " + std::to_string(count) + ")");
  }
  if (quiz.pass_mark_percent() < 1 || quiz.pass_mark_percent() > 100) {
    errors.Add(Path(field, "pass_mark_percent"),
               "must be 1 to 100, is " + std::to_string(quiz.pass_mark_percent()));
  }
  if (quiz.questions_per_attempt() < 0 || quiz.questions_per_attempt() > count) {
    errors.Add(Path(field, "questions_per_attempt"),
               "must be 0 (all questions) or 1 to the number of questions (" +
                   std::to_string(count) + "), is " + std::to_string(quiz.questions_per_attempt()));
  }
  if (quiz.max_attempts() < 0) {
    errors.Add(Path(field, "max_attempts"),
               "must be 0 (unlimited) or more, is " + std::to_string(quiz.max_attempts()));
  }
  if (quiz.retry_delay_seconds() < 0) {
    errors.Add(Path(field, "retry_delay_seconds"),
               "must be 0 or more, is " + std::to_string(quiz.retry_delay_seconds()));
  }
  const int limit = quiz.time_limit_seconds();
  if (limit != 0 && (limit < kMinTimeLimitSeconds || limit > kMaxTimeLimitSeconds)) {
    errors.Add(Path(field, "time_limit_seconds"),
               "must be 0 (default " + std::to_string(kDefaultTimeLimitSeconds) + ") or " +
                   std::to_string(kMinTimeLimitSeconds) + " to " +
                   std::to_string(kMaxTimeLimitSeconds) + ", is " + std::to_string(limit));
  }

  std::vector<std::string> ids, id_fields;
  for (int i = 0; i < count; ++i) {
    const std::string base = Indexed(field, "questions", i);
    CheckQuestion(errors, base, *out.mutable_questions(i));
    ids.push_back(quiz.questions(i).question_id());
    id_fields.push_back(Path(base, "question_id"));
  }
  std::set<std::string> used;
  CheckGivenIds(errors, ids, id_fields, used);
  if (!errors.empty()) return errors.ToStatus(kReasonQuizInvalid);

  for (int i = 0; i < count; ++i) {
    v1::QuizQuestion* question = out.mutable_questions(i);
    if (!question->question_id().empty()) continue;
    std::string id = FreshId(i, count, used, QuestionIdCandidate);
    used.insert(id);
    question->set_question_id(std::move(id));
  }
  if (out.time_limit_seconds() == 0) out.set_time_limit_seconds(kDefaultTimeLimitSeconds);
  return out;
}

}  // namespace integration::training
