// Drawing the questions of a quiz attempt, and the learner's view of them without answers.
#pragma once

#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/repeated_field.h"
#include "lansstyrelsen/integration/training/v1/resources.pb.h"

namespace integration::training {

namespace v1 = ::lansstyrelsen::integration::training::v1;

// What an attempt was served: the drawn questions in served order, each with its options in
// served order, WITH their correctness. The repository stores it with the attempt so that
// scoring uses exactly what was served, whatever happens to the quiz afterwards. It never
// leaves the service: learners get ToServed(snapshot).
using QuizSnapshot = std::vector<v1::QuizQuestion>;

// A Mersenne Twister seeded with 256 bits from OpenSSL's CSPRNG (RAND_bytes), so draws cannot
// be predicted from the time or the process id. INTERNAL when the CSPRNG fails. Not safe to
// share between threads: make one per request (cheap) or guard it.
absl::StatusOr<std::mt19937_64> NewSeededEngine();

// Draws an attempt from a validated quiz: questions_per_attempt questions chosen uniformly at
// random (all when 0 or more than there are), kept in the quiz's order because an author may
// build one question on the one before, each with its options shuffled.
QuizSnapshot Draw(const v1::Quiz& quiz, std::mt19937_64& rng);

// The learner's view of a snapshot. ServedOption is built from the option id and text only,
// and the served messages have no field for correctness, so nothing can carry it.
google::protobuf::RepeatedPtrField<v1::ServedQuestion> ToServed(const QuizSnapshot& snapshot);

// Storage form of a snapshot: the wire format of a Quiz message holding only the questions.
std::string SerializeSnapshot(const QuizSnapshot& snapshot);
// INTERNAL when the bytes are not a snapshot (a corrupt row is the service's fault).
absl::StatusOr<QuizSnapshot> ParseSnapshot(std::string_view bytes);

}  // namespace integration::training
