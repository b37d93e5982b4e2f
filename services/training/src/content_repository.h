// SQL of course content: parts, modules and the versioned quizzes.
#pragma once

#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lansstyrelsen/integration/training/v1/resources.pb.h"

namespace integration::training {

namespace v1 = ::lansstyrelsen::integration::training::v1;

// A part row with its revision (the etag is derived from it).
struct PartRow {
  v1::Part part;  // every field set, etag included
  int64_t revision = 0;
};

struct ModuleRow {
  std::string part_id;
  std::string module_id;
  v1::Module module;  // every field set, etag included
  int64_t revision = 0;
  bool published = false;
};

// The locked state of a part (content_lock_part).
struct PartLock {
  int64_t revision = 0;
  bool archived = false;
};

// The locked state of a module (content_lock_module).
struct ModuleLock {
  int64_t revision = 0;
  bool published = false;
  bool archived = false;
  std::optional<int> quiz_version;
};

struct QuizRow {
  v1::Quiz quiz;  // as stored (with correctness), name/version/update_time/etag set
  int version = 0;
};

// Runs the content statements on the caller's transaction. libpqxx errors propagate to
// pg::Pool::Transact (which rolls back and maps them); a corrupt stored message is INTERNAL.
class ContentRepository {
 public:
  // A transaction, or a nontransaction (pg::Pool::Autocommit) for reads of one statement.
  explicit ContentRepository(pqxx::transaction_base& tx) : tx_(tx) {}

  // --- Parts ---
  // Parts after position `after_position`, at most `limit`; module counts include drafts and
  // archived parts are listed when `all_modules` (the content admin's view).
  absl::StatusOr<std::vector<PartRow>> ListParts(bool all_modules, int after_position, int limit);
  absl::StatusOr<std::optional<PartRow>> GetPart(const std::string& part_id, bool all_modules);
  // The revision and state of the locked part; nullopt when there is no such part.
  std::optional<PartLock> LockPart(const std::string& part_id);
  // The id of another part at `position`, if any.
  std::optional<std::string> PartAtPosition(int position, const std::string& except_part_id);
  // False when the id is taken. Position 0 appends.
  bool InsertPart(const std::string& part_id, const v1::Part& part);
  void UpdatePart(const std::string& part_id, const v1::Part& part);
  void ArchivePart(const std::string& part_id);
  void UnarchivePart(const std::string& part_id);

  // --- Modules ---
  absl::StatusOr<std::vector<ModuleRow>> ListModules(const std::string& part_id, bool drafts,
                                                     int after_position, int limit);
  absl::StatusOr<std::optional<ModuleRow>> GetModule(const std::string& part_id,
                                                     const std::string& module_id);
  std::optional<ModuleLock> LockModule(const std::string& part_id, const std::string& module_id);
  std::optional<std::string> ModuleAtPosition(const std::string& part_id, int position,
                                              const std::string& except_module_id);
  // A new draft; false when the id is taken in the part. Position 0 appends.
  bool InsertModule(const std::string& part_id, const std::string& module_id,
                    const v1::Module& module);
  void UpdateModule(const std::string& part_id, const std::string& module_id,
                    const v1::Module& module);
  // Publishes a draft, or an archived module again.
  void PublishModule(const std::string& part_id, const std::string& module_id);
  void ArchiveModule(const std::string& part_id, const std::string& module_id);

  // --- Quizzes ---
  // The module's current quiz; nullopt when the module has none (or does not exist).
  absl::StatusOr<std::optional<QuizRow>> GetQuiz(const std::string& part_id,
                                                 const std::string& module_id);
  // Stores `quiz` (validated) as the module's next version and makes it current; the module
  // must be locked (LockModule). Returns the stored quiz as GetQuiz would.
  QuizRow AddQuizVersion(const std::string& part_id, const std::string& module_id,
                         const v1::Quiz& quiz, const std::string& created_by);

 private:
  pqxx::transaction_base& tx_;
};

// The etag of a quiz version.
std::string QuizEtag(int version);

}  // namespace integration::training
