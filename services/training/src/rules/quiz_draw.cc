// Random drawing of quiz questions and options, and the answer-free served view.
#include "rules/quiz_draw.h"

#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <iterator>

#include "integration/status/status.h"

namespace integration::training {

absl::StatusOr<std::mt19937_64> NewSeededEngine() {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    return integration::status::Internal("RAND_bytes failed while seeding the quiz draw");
  }
  std::array<std::uint32_t, 8> words{};
  for (size_t i = 0; i < words.size(); ++i) {
    words[i] = static_cast<std::uint32_t>(bytes[4 * i]) << 24 |
               static_cast<std::uint32_t>(bytes[4 * i + 1]) << 16 |
               static_cast<std::uint32_t>(bytes[4 * i + 2]) << 8 |
               static_cast<std::uint32_t>(bytes[4 * i + 3]);
  }
  std::seed_seq seed(words.begin(), words.end());
  return std::mt19937_64(seed);
}

QuizSnapshot Draw(const v1::Quiz& quiz, std::mt19937_64& rng) {
  const int count = quiz.questions_size();
  const int wanted = quiz.questions_per_attempt();
  std::vector<int> chosen;
  if (wanted <= 0 || wanted >= count) {
    for (int i = 0; i < count; ++i) chosen.push_back(i);
  } else {
    std::vector<int> all(count);
    for (int i = 0; i < count; ++i) all[i] = i;
    // std::sample keeps the relative order of the population.
    std::sample(all.begin(), all.end(), std::back_inserter(chosen), wanted, rng);
  }

  QuizSnapshot snapshot;
  snapshot.reserve(chosen.size());
  for (int index : chosen) {
    v1::QuizQuestion question = quiz.questions(index);
    auto* options = question.mutable_options();
    std::shuffle(options->pointer_begin(), options->pointer_end(), rng);
    snapshot.push_back(std::move(question));
  }
  return snapshot;
}

google::protobuf::RepeatedPtrField<v1::ServedQuestion> ToServed(const QuizSnapshot& snapshot) {
  google::protobuf::RepeatedPtrField<v1::ServedQuestion> served;
  for (const v1::QuizQuestion& question : snapshot) {
    v1::ServedQuestion* out = served.Add();
    out->set_question_id(question.question_id());
    out->set_text(question.text());
    out->set_kind(question.kind());
    for (const v1::QuizOption& option : question.options()) {
      v1::ServedOption* served_option = out->add_options();
      served_option->set_option_id(option.option_id());
      served_option->set_text(option.text());
    }
  }
  return served;
}

std::string SerializeSnapshot(const QuizSnapshot& snapshot) {
  v1::Quiz holder;
  for (const v1::QuizQuestion& question : snapshot) *holder.add_questions() = question;
  return holder.SerializeAsString();
}

absl::StatusOr<QuizSnapshot> ParseSnapshot(std::string_view bytes) {
  v1::Quiz holder;
  if (!holder.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return integration::status::Internal("stored quiz snapshot does not parse");
  }
  QuizSnapshot snapshot(holder.questions().begin(), holder.questions().end());
  return snapshot;
}

}  // namespace integration::training
