// The scheduled overdue check of settlement assignments (see settlement_overdue.h).
#include "settlement_overdue.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "access.h"
#include "integration/dates/day.h"
#include "integration/log/log.h"
#include "integration/outbox/outbox.h"
#include "lansstyrelsen/integration/placement/v1/events.pb.h"
#include "rules/names.h"
#include "settlement_repository.h"

namespace integration::placement {

namespace v1 = ::lansstyrelsen::integration::placement::v1;

SettlementOverdueCheck::SettlementOverdueCheck(pg::Pool& pool, OverdueCheckOptions options)
    : pool_(pool), options_(std::move(options)) {}

SettlementOverdueCheck::~SettlementOverdueCheck() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

absl::StatusOr<int> SettlementOverdueCheck::RunOnce() {
  int raised = 0;
  for (;;) {
    const absl::Time now = options_.clock();
    const absl::CivilDay today = absl::ToCivilDay(now, options_.zone);
    int marked = 0;
    absl::Status st =
        pool_.Transact(absl::Now() + absl::Seconds(30), [&](pqxx::work& tx) -> absl::Status {
          marked = 0;
          SettlementRepository repo(tx);
          // Another replica runs the check now: leave this round to it.
          if (!repo.TryLockOverdueCheck()) return absl::OkStatus();
          absl::StatusOr<std::vector<OverdueMark>> marks =
              repo.MarkOverdue(today, now, options_.batch);
          if (!marks.ok()) return marks.status();
          for (const OverdueMark& m : *marks) {
            const std::string name = SettlementAssignmentName(m.kommunkod, m.assignment_id);
            v1::SettlementOverdueEvent event;
            event.set_settlement_assignment(name);
            event.set_kommunkod(m.kommunkod);
            event.set_persons(m.persons);
            *event.mutable_due_date() = dates::DateOf(m.due_date);
            // No request or trace: the check is no caller's call.
            outbox::Event row;
            row.type = event.GetDescriptor()->full_name();
            row.aggregate = name;
            row.payload = event.SerializeAsString();
            const auth::Owner owner = access::KommunOwner(m.kommunkod);
            row.tenant.lan = owner.lan;
            row.tenant.kommuner = owner.kommuner;
            if (absl::Status enqueued = outbox::Enqueue(tx, row); !enqueued.ok()) return enqueued;
          }
          marked = static_cast<int>(marks->size());
          return absl::OkStatus();
        });
    if (!st.ok()) return st;
    raised += marked;
    if (marked < options_.batch) break;
  }
  if (raised > 0 && options_.nudge_outbox) options_.nudge_outbox();
  return raised;
}

void SettlementOverdueCheck::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void SettlementOverdueCheck::Loop() {
  for (;;) {
    absl::StatusOr<int> raised = RunOnce();
    if (!raised.ok()) {
      log::Warn("settlement_overdue_check_failed", {{"error", raised.status().ToString()}});
    } else if (*raised > 0) {
      log::Info("settlement_overdue_raised", {{"count", *raised}});
    }
    absl::MutexLock lock(&mu_);
    if (mu_.AwaitWithTimeout(absl::Condition(&stopping_), options_.interval)) return;
  }
}

}  // namespace integration::placement
